package dev.cairn.engine;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A transaction: buffered writes that become durable and visible together at
 * {@link #commit()}. Belongs to one thread at a time. Closing it without a
 * commit rolls it back; since nothing reached the file before commit, a
 * rollback only drops the buffer.
 */
public final class Txn implements AutoCloseable {

    /** Marks a buffered delete; compared by identity. */
    private static final byte[] DELETED = new byte[0];

    private final Store store;
    private final TreeMap<byte[], byte[]> writes = new TreeMap<>(Arrays::compareUnsigned);
    private boolean finished;

    Txn(Store store) {
        this.store = store;
    }

    /** The value of {@code key} as this transaction sees it, or null when absent. */
    public byte[] get(byte[] key) {
        checkActive();
        store.validateKey(key);
        byte[] own = writes.get(key);
        if (own == DELETED) {
            return null;
        }
        if (own != null) {
            return own.clone();
        }
        return store.readCommitted(key);
    }

    /** Sets {@code key} to {@code value} (copied) at commit. */
    public void put(byte[] key, byte[] value) {
        checkActive();
        store.validateKey(key);
        store.validateValue(value);
        writes.put(key.clone(), value.clone());
    }

    /**
     * Removes {@code key} at commit.
     *
     * @return whether the key existed as this transaction saw it
     */
    public boolean delete(byte[] key) {
        boolean existed = get(key) != null;
        writes.put(key.clone(), DELETED);
        return existed;
    }

    /** Makes every write durable and visible, then returns; the transaction is over. */
    public void commit() {
        checkActive();
        finished = true;
        if (writes.isEmpty()) {
            return;
        }
        Map<byte[], byte[]> out = new TreeMap<>(Arrays::compareUnsigned);
        writes.forEach((k, v) -> out.put(k, v == DELETED ? null : v));
        writes.clear();
        store.commit(out);
    }

    /** Drops every write; the transaction is over. */
    public void rollback() {
        checkActive();
        finished = true;
        writes.clear();
    }

    /** Whether {@link #put} or {@link #delete} has been called since begin. */
    public boolean hasWrites() {
        return !writes.isEmpty();
    }

    /** Rolls back unless already committed or rolled back. */
    @Override
    public void close() {
        if (!finished) {
            rollback();
        }
    }

    private void checkActive() {
        if (finished) {
            throw new TxnClosedException("transaction is over: it has been committed, rolled back or closed");
        }
    }
}
