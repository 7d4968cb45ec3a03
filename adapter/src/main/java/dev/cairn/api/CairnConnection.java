package dev.cairn.api;

import java.nio.charset.StandardCharsets;

/**
 * A handle on a Cairn store. Keys are 1 to 256 bytes; values are bytes.
 * Not thread safe: one thread at a time, as for any JCA connection.
 *
 * <p>Errors are {@link dev.cairn.engine.CairnException}s: an
 * {@link dev.cairn.engine.InvalidKeyException} for a bad key, a
 * {@link ConnectionClosedException} after {@link #close()}, a
 * {@link dev.cairn.engine.ReadOnlyStoreException} once a write or force failed, a
 * {@link dev.cairn.engine.WriteConflictException} when a concurrent transaction
 * committed the same key first (snapshot isolation: retry the transaction).
 */
public interface CairnConnection extends AutoCloseable {

    /** The value under {@code key}, or null when absent. */
    byte[] get(byte[] key);

    /** Whether {@code key} exists, without reading its value. */
    boolean exists(byte[] key);

    /** Stores {@code value} under {@code key}, replacing any value. */
    void put(byte[] key, byte[] value);

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
