package dev.cairn.engine;

import dev.cairn.engine.tree.Keys;
import java.util.AbstractMap;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;

/**
 * A transaction: reads see the durable state as of {@link Store#begin()} plus
 * this transaction's own writes; writes become durable and visible together
 * at {@link #commit()}. Belongs to one thread at a time. Closing it without a
 * commit rolls it back; nothing reached the store before commit, so a
 * rollback only drops the writes.
 */
public final class Txn implements AutoCloseable {

    /** Marks a buffered delete; compared by identity. */
    private static final byte[] DELETED = new byte[0];

    private final Store store;
    private final Store.Snapshot snapshot;
    private final long pin;
    private final TreeMap<byte[], byte[]> writes = new TreeMap<>(Keys.ORDER);
    private boolean finished;

    Txn(Store store, Store.Snapshot snapshot, long pin) {
        this.store = store;
        this.snapshot = snapshot;
        this.pin = pin;
    }

    Store.Snapshot snapshot() {
        return snapshot;
    }

    long pin() {
        return pin;
    }

    /** The value of {@code key} as this transaction sees it, or null when absent. */
    public byte[] get(byte[] key) {
        checkActive();
        Store.validateKey(key);
        byte[] own = writes.get(key);
        if (own == DELETED) {
            return null;
        }
        if (own != null) {
            return own.clone();
        }
        return store.read(snapshot, key);
    }

    /** Whether {@code key} exists as this transaction sees it (without reading its value). */
    public boolean exists(byte[] key) {
        checkActive();
        Store.validateKey(key);
        byte[] own = writes.get(key);
        if (own != null) {
            return own != DELETED;
        }
        return store.exists(snapshot, key);
    }

    /** Sets {@code key} to {@code value} (copied) at commit. */
    public void put(byte[] key, byte[] value) {
        checkActive();
        Store.validateKey(key);
        store.validateValue(value);
        writes.put(key.clone(), value.clone());
    }

    /**
     * Removes {@code key} at commit.
     *
     * @return whether the key existed as this transaction saw it
     */
    public boolean delete(byte[] key) {
        boolean existed = exists(key);
        writes.put(key.clone(), DELETED);
        return existed;
    }

    /**
     * Entries with keys in {@code [fromInclusive, toExclusive)} in key order,
     * as this transaction sees them; null bounds are open. An empty or
     * inverted range has no entries.
     */
    public Iterable<Map.Entry<byte[], byte[]>> scan(byte[] fromInclusive, byte[] toExclusive) {
        checkActive();
        byte[] from = fromInclusive == null ? Keys.LOWEST : fromInclusive.clone();
        byte[] to = toExclusive == null ? null : toExclusive.clone();
        if (to != null && Keys.ORDER.compare(from, to) >= 0) {
            return java.util.Collections::emptyIterator;
        }
        return () -> new Merged(store.scan(snapshot, from, to),
                (to == null ? writes.tailMap(from, true) : writes.subMap(from, true, to, false)).entrySet().iterator());
    }

    /** Makes every write durable and visible, then returns; the transaction is over. */
    public void commit() {
        checkActive();
        finished = true;
        try {
            if (!writes.isEmpty()) {
                TreeMap<byte[], byte[]> out = new TreeMap<>(Keys.ORDER);
                writes.forEach((k, v) -> out.put(k, v == DELETED ? null : v));
                store.commit(this, out);
            }
        } finally {
            writes.clear();
            store.ended(this);
        }
    }

    /**
     * XA prepare: makes this transaction's writes and {@code xid} durable
     * without publishing them, and holds its keys against other writers,
     * then returns; the transaction is over. Finish it with
     * {@link Store#commitPrepared} or {@link Store#rollbackPrepared}, after a
     * restart too ({@link Store#recover()} lists the xids).
     *
     * @throws WriteConflictException when a key was committed since this transaction began
     */
    public void prepare(byte[] xid) {
        checkActive();
        finished = true;
        try {
            TreeMap<byte[], byte[]> out = new TreeMap<>(Keys.ORDER);
            writes.forEach((k, v) -> out.put(k, v == DELETED ? null : v));
            store.prepare(this, xid, out);
        } finally {
            writes.clear();
            store.ended(this);
        }
    }

    /** Drops every write; the transaction is over. */
    public void rollback() {
        checkActive();
        finished = true;
        writes.clear();
        store.ended(this);
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

    /** The snapshot's entries with this transaction's writes laid over them. */
    private static final class Merged implements Iterator<Map.Entry<byte[], byte[]>> {
        private final Iterator<Map.Entry<byte[], byte[]>> base;
        private final Iterator<Map.Entry<byte[], byte[]>> own;
        private Map.Entry<byte[], byte[]> b;
        private Map.Entry<byte[], byte[]> o;
        private Map.Entry<byte[], byte[]> next;

        Merged(Iterator<Map.Entry<byte[], byte[]>> base, Iterator<Map.Entry<byte[], byte[]>> own) {
            this.base = base;
            this.own = own;
            b = base.hasNext() ? base.next() : null;
            o = own.hasNext() ? own.next() : null;
        }

        @Override
        public boolean hasNext() {
            while (next == null && (b != null || o != null)) {
                int c = b == null ? 1 : o == null ? -1 : Keys.ORDER.compare(b.getKey(), o.getKey());
                if (c < 0) {
                    next = b;
                    b = base.hasNext() ? base.next() : null;
                } else {
                    if (o.getValue() != DELETED) {
                        next = new AbstractMap.SimpleImmutableEntry<>(o.getKey().clone(), o.getValue().clone());
                    }
                    if (c == 0) {
                        b = base.hasNext() ? base.next() : null;
                    }
                    o = own.hasNext() ? own.next() : null;
                }
            }
            return next != null;
        }

        @Override
        public Map.Entry<byte[], byte[]> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Map.Entry<byte[], byte[]> n = next;
            next = null;
            return n;
        }
    }
}
