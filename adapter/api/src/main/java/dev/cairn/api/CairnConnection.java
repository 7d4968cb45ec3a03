package dev.cairn.api;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A handle on a Cairn store. Keys are 1 to 256 bytes; values are bytes.
 * Not thread safe: one thread at a time, as for any JCA connection.
 *
 * <p>Errors are {@link dev.cairn.api.CairnException}s: an
 * {@link dev.cairn.api.InvalidKeyException} for a bad key, a
 * {@link ConnectionClosedException} after {@link #close()}, a
 * {@link dev.cairn.api.ReadOnlyStoreException} once a write or force failed, a
 * {@link dev.cairn.api.WriteConflictException} when a concurrent transaction
 * committed a key this transaction had read (retry the transaction). Writes
 * alone never conflict: a transaction that puts or deletes a key without
 * reading it overwrites whatever another committed meanwhile.
 */
public interface CairnConnection extends AutoCloseable {

    /** The value under {@code key}, or null when absent. */
    byte[] get(byte[] key);

    /** Whether {@code key} exists, without reading its value. */
    boolean exists(byte[] key);

    /** Stores {@code value} under {@code key}, replacing any value. */
    default void put(byte[] key, byte[] value) {
        put(key, value, null);
    }

    /**
     * Stores {@code value} under {@code key} with media type
     * {@code contentType} (null: none), replacing any value and type. The
     * type is kept as given and comes back in {@link #open} and {@link #list}.
     *
     * @throws InvalidContentTypeException when the type breaks {@link ContentTypes}' rule
     */
    void put(byte[] key, byte[] value, String contentType);

    /**
     * Stores everything {@code in} yields under {@code key}. The value goes to
     * the store's blocks as it is read: its size is bounded by the store, not
     * by memory. Does not close {@code in}.
     *
     * @return the value's length
     */
    long putStream(byte[] key, InputStream in);

    /**
     * The value under {@code key} as a stream read one 16 KiB block at a time,
     * or null when absent. Inside a transaction it is valid until the
     * transaction ends; outside one it holds its own read snapshot until it is
     * closed: close it.
     */
    InputStream getStream(byte[] key);

    /**
     * Objects whose keys start with {@code prefix} (empty or null: all), in
     * key order, from the first key after {@code after} (null: from the
     * start), at most {@code limit} of them, with their sizes and media
     * types; values are not read.
     */
    List<ObjectInfo> list(byte[] prefix, byte[] after, int limit);

    /**
     * Takes snapshot {@code name} of everything committed so far, instantly
     * and durably. Snapshot calls are not part of any transaction: each is a
     * durable change of its own.
     */
    void createSnapshot(String name);

    /** Deletes snapshot {@code name}, durably; its space comes back. */
    void deleteSnapshot(String name);

    /** The snapshots, oldest first. */
    List<SnapshotInfo> snapshots();

    /**
     * Writes snapshot {@code name} to {@code out} as a checksummed stream:
     * whole when {@code from} is null, else only what changed since snapshot
     * {@code from}. Commits go on meanwhile. Does not close {@code out}.
     *
     * @throws NoSuchSnapshotException when either snapshot does not exist
     * @throws java.io.UncheckedIOException when writing to {@code out} fails
     */
    SnapshotTransfer sendSnapshot(String name, String from, OutputStream out);

    /**
     * Receives a snapshot stream into this store, all or nothing, in a
     * transaction of its own: an incremental stream into a store that holds
     * exactly its base (its contents unchanged since that snapshot arrived),
     * a whole one into an empty store. The store then holds the stream's
     * snapshot too.
     *
     * @throws InvalidStreamException when the stream is truncated, corrupt or not for this store; nothing changed
     * @throws WriteConflictException when another transaction committed meanwhile; nothing changed
     */
    SnapshotTransfer receiveSnapshot(InputStream in);

    /**
     * The value {@code key} had when snapshot {@code name} was taken, as a
     * stream that holds its own read snapshot until closed; null when absent.
     */
    InputStream getStreamAt(String snapshot, byte[] key);

    /**
     * Removes {@code key}; returns whether it existed as this connection's
     * transaction saw it. Like a put, a delete is a blind write: it conflicts
     * with no other writer of the key (the later commit wins) unless this
     * transaction also read the key.
     */
    boolean delete(byte[] key);

    /**
     * The object under {@code key} — size, strong entity tag, media type and bytes — as
     * one snapshot holds it, or null when absent. Inside a transaction it
     * counts as a read of the key and its stream is valid until the
     * transaction ends; outside one the stream holds its own snapshot until
     * closed: close it.
     */
    StoredObject open(byte[] key);

    /**
     * {@link #putStream(byte[], InputStream)} when {@code when} holds for the
     * object under {@code key}, checked in the same transaction (and then a
     * read of the key: a commit of it by another transaction before this one
     * commits makes this one conflict).
     *
     * @throws PreconditionFailedException when it does not hold; nothing is written
     */
    default WriteResult putStream(byte[] key, InputStream in, Precondition when) {
        return putStream(key, in, when, null);
    }

    /**
     * {@link #putStream(byte[], InputStream, Precondition)}, the value kept
     * with media type {@code contentType} (null: none).
     *
     * @throws InvalidContentTypeException when the type breaks {@link ContentTypes}' rule
     */
    WriteResult putStream(byte[] key, InputStream in, Precondition when, String contentType);

    /**
     * {@link #delete(byte[])} when {@code when} holds for the object under
     * {@code key}, checked in the same transaction.
     *
     * @throws PreconditionFailedException when it does not hold; nothing is deleted
     */
    boolean delete(byte[] key, Precondition when);

    /**
     * Applies every write together, all or none. Inside a JTA transaction
     * they are part of it; outside one they commit together, durably,
     * before this returns, and a failure (a bad key, a full store, a
     * conflict) is thrown here with nothing applied.
     *
     * @return how many writes were applied
     */
    int write(List<Write> writes);

    /** Returns the handle to the pool; its work stays part of the transaction. */
    @Override
    void close();

    default byte[] get(String key) {
        return get(key.getBytes(StandardCharsets.UTF_8));
    }

    default boolean exists(String key) {
        return exists(key.getBytes(StandardCharsets.UTF_8));
    }

    default void put(String key, byte[] value) {
        put(key.getBytes(StandardCharsets.UTF_8), value);
    }

    default boolean delete(String key) {
        return delete(key.getBytes(StandardCharsets.UTF_8));
    }
}
