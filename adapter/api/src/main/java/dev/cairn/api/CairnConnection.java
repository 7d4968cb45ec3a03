package dev.cairn.api;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A handle on a Cairn store. Keys are 1 to 256 bytes; values are bytes.
 * Not thread safe: one thread at a time, as for any JCA connection.
 *
 * <p>Errors are {@link dev.cairn.api.CairnException}s: an
 * {@link dev.cairn.api.InvalidKeyException} for a bad key, a
 * {@link ConnectionClosedException} after {@link #close()}, a
 * {@link dev.cairn.api.ReadOnlyStoreException} once a write or force failed, a
 * {@link dev.cairn.api.WriteConflictException} when a concurrent transaction
 * committed the same key first (snapshot isolation: retry the transaction).
 */
public interface CairnConnection extends AutoCloseable {

    /** The value under {@code key}, or null when absent. */
    byte[] get(byte[] key);

    /** Whether {@code key} exists, without reading its value. */
    boolean exists(byte[] key);

    /** Stores {@code value} under {@code key}, replacing any value. */
    void put(byte[] key, byte[] value);

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
     * start), at most {@code limit} of them, with their sizes; values are
     * not read.
     */
    java.util.List<ObjectInfo> list(byte[] prefix, byte[] after, int limit);

    /**
     * Takes snapshot {@code name} of everything committed so far, instantly
     * and durably. Snapshot calls are not part of any transaction: each is a
     * durable change of its own.
     */
    void createSnapshot(String name);

    /** Deletes snapshot {@code name}, durably; its space comes back. */
    void deleteSnapshot(String name);

    /** The snapshots, oldest first. */
    java.util.List<SnapshotInfo> snapshots();

    /**
     * The value {@code key} had when snapshot {@code name} was taken, as a
     * stream that holds its own read snapshot until closed; null when absent.
     */
    InputStream getStreamAt(String snapshot, byte[] key);

    /** Removes {@code key}; returns whether it existed. */
    boolean delete(byte[] key);

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
