package dev.cairn.engine;

import dev.cairn.api.CairnException;
import dev.cairn.api.ContentTypes;
import dev.cairn.api.TxnClosedException;
import dev.cairn.api.WriteConflictException;
import dev.cairn.engine.object.ObjectLayout;
import dev.cairn.engine.object.StreamedValue;
import dev.cairn.engine.object.Typed;
import dev.cairn.engine.object.ValueInfo;
import dev.cairn.engine.object.ValueTag;
import dev.cairn.engine.object.VersionReader;
import dev.cairn.engine.tree.Keys;
import dev.cairn.engine.txn.Overlay;
import dev.cairn.engine.txn.ReadSet;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A transaction: reads see the durable state as of {@link Store#begin()} plus
 * this transaction's own writes; writes become durable and visible together
 * at {@link #commit()}. Belongs to one thread at a time. Closing it without a
 * commit rolls it back.
 *
 * <p>Conflicts: the commit fails with {@link WriteConflictException} only
 * when something this transaction read from its snapshot ({@link #get},
 * {@link #exists}, {@link #getStream}, a {@link #scan} or {@link #sizes}
 * range) was changed by a commit made after it began. Writes alone are
 * blind: a transaction that put or deleted a key without reading it does
 * not conflict with another writer of that key, and the later commit wins.
 * A write of a key this transaction read, once another commit has changed
 * that key, is refused at once with the same exception: its commit could
 * only fail.
 *
 * <p>Values are held in memory until commit, except those written with
 * {@link #putStream}, which go to data blocks as they are read (reserved,
 * not yet allocated: a transaction that never commits leaks nothing).
 */
public final class Txn implements AutoCloseable {

    private static final Object DELETED = WriteSet.DELETED;

    private final Store store;
    private final Store.Snapshot snapshot;
    /** Reads this transaction's snapshot. */
    private final VersionReader version;
    private final long pin;
    /** The snapshot this transaction reads, when it reads one: then it cannot write. */
    private final String snapshotName;
    private final WriteSet writes;
    /** What this transaction read from its snapshot, validated at commit. */
    private final ReadSet reads = new ReadSet();
    /** Why this transaction may only roll back, or null. */
    private String rollbackOnly;
    /** Volatile: a stream of this transaction may be read on another thread (see {@link #getStream}). */
    private volatile boolean finished;

    /** Set once, before the transaction is handed out. */
    private boolean receiving;
    private String receivingFrom;

    Txn(Store store, Store.Snapshot snapshot, long pin, String snapshotName) {
        this.store = store;
        this.snapshot = snapshot;
        this.version = store.reader(snapshot);
        this.pin = pin;
        this.snapshotName = snapshotName;
        this.writes = new WriteSet(store::release);
    }

    private void checkWritable() {
        if (snapshotName != null) {
            throw new CairnException("snapshot " + snapshotName + " is read-only");
        }
        if (!receiving) {
            store.standby().checkWrite();
        }
    }

    /**
     * For {@link Receiving}: this transaction applies a primary's
     * stream, and may write to a standby; {@code primary} is the one the
     * store followed when it began (null: none).
     */
    void receiving(String primary) {
        receiving = true;
        receivingFrom = primary;
    }

    Store.Snapshot snapshot() {
        return snapshot;
    }

    long pin() {
        return pin;
    }

    ReadSet reads() {
        return reads;
    }

    /** Notes a read from the snapshot; a read-only snapshot transaction never commits writes, so it keeps none. */
    private void readFromSnapshot(byte[] key) {
        if (snapshotName == null) {
            reads.key(key);
        }
    }

    /** The value of {@code key} as this transaction sees it, or null when absent. */
    public byte[] get(byte[] key) {
        checkActive();
        Admission.validateKey(key);
        Object own = writes.get(key);
        if (own == DELETED) {
            return null;
        }
        if (own != null) {
            return bytes(own);
        }
        readFromSnapshot(key);
        return version.get(key);
    }

    /**
     * The value of {@code key} as a stream, or null when absent; a large value
     * is read one 16 KiB block at a time. Read it before the transaction ends:
     * a read after that throws {@link TxnClosedException}, since the blocks
     * it would read may have been reused by then.
     */
    public InputStream getStream(byte[] key) {
        checkActive();
        Admission.validateKey(key);
        Object own = Typed.value(writes.get(key));
        if (own == DELETED) {
            return null;
        }
        if (own instanceof StreamedValue s) {
            return whileActive(store.stream(s));
        }
        if (own != null) {
            return whileActive(new ByteArrayInputStream((byte[]) own));
        }
        readFromSnapshot(key);
        InputStream in = version.stream(key);
        return in == null ? null : whileActive(in);
    }

    /**
     * {@code in}, readable only while this transaction is active. Its pin
     * is what keeps the blocks of its version from reuse, and a block found
     * in the cache is not checked against its hash, so a late read could
     * return another block's bytes instead of failing.
     */
    private InputStream whileActive(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                checkActive();
                return super.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                checkActive();
                return super.read(b, off, len);
            }
        };
    }

    /** Whether {@code key} exists as this transaction sees it (without reading its value). */
    public boolean exists(byte[] key) {
        checkActive();
        Admission.validateKey(key);
        Object own = writes.get(key);
        if (own != null) {
            return own != DELETED;
        }
        readFromSnapshot(key);
        return version.exists(key);
    }

    /**
     * A strong entity tag of {@code key}'s value as this transaction sees
     * it, or null when absent: equal tags mean equal bytes. Counts as a read
     * of the key (a commit of it since this transaction began conflicts).
     * The tag of a value this transaction wrote is the one it has once
     * committed.
     */
    public String etag(byte[] key) {
        checkActive();
        Admission.validateKey(key);
        Object own = writes.get(key);
        if (own == DELETED) {
            return null;
        }
        if (own != null) {
            return WriteSet.tag(store.blocks, own).etag();
        }
        readFromSnapshot(key);
        return version.etag(key);
    }

    /**
     * Whether {@code key} exists as this transaction sees it, like
     * {@link #exists}, but not counted as a read: the answer is
     * informational (say, whether a blind write creates or replaces), and a
     * commit of the key since this transaction began does not make it
     * conflict.
     */
    public boolean peekExists(byte[] key) {
        checkActive();
        Admission.validateKey(key);
        Object own = writes.get(key);
        if (own != null) {
            return own != DELETED;
        }
        return version.exists(key);
    }

    /**
     * Sets {@code key} to {@code value} (copied) at commit. A value too large
     * to live in a leaf is copied into data blocks right away, as
     * {@link #putStream} does: the commit then only links them in, and the
     * disk writes of the value overlap the rest of the transaction.
     */
    public void put(byte[] key, byte[] value) {
        put(key, value, null);
    }

    /**
     * {@link #put(byte[], byte[])}, the value kept with media type
     * {@code contentType} (null: none), which {@link #infos} gives back.
     *
     * @throws dev.cairn.api.InvalidContentTypeException when the type breaks {@link ContentTypes}' rule
     */
    public void put(byte[] key, byte[] value, String contentType) {
        checkActive();
        checkWritable();
        Admission.validateKey(key);
        store.admission.validateValue(value);
        ContentTypes.check(contentType);
        store.admission.checkWriteOfRead(this, key);
        boolean inline = value.length <= ObjectLayout.maxInline(contentType) && !spills(value.length);
        checkRoom(key, inline ? value.length : 0); // before a large value is copied to disk
        writes.replace(key.clone(), Typed.of(contentType, inline ? value.clone() : store.copyIn(value)));
    }

    /**
     * Sets {@code key} to everything {@code in} yields, at commit. The value
     * goes to data blocks as it is read, so its size is bounded by the store,
     * not by memory. Does not close {@code in}.
     *
     * @return the value's length in bytes
     */
    public long putStream(byte[] key, InputStream in) {
        return putStream(key, in, null);
    }

    /**
     * {@link #putStream(byte[], InputStream)}, the value kept with media
     * type {@code contentType} (null: none).
     *
     * @throws dev.cairn.api.InvalidContentTypeException when the type breaks {@link ContentTypes}' rule
     */
    public long putStream(byte[] key, InputStream in, String contentType) {
        checkActive();
        checkWritable();
        Admission.validateKey(key);
        ContentTypes.check(contentType);
        store.admission.checkWriteOfRead(this, key); // before the stream is read
        int maxInline = ObjectLayout.maxInline(contentType);
        byte[] head;
        try {
            head = in.readNBytes(maxInline + 1);
        } catch (IOException e) {
            throw new CairnException("reading the value to store failed: " + e.getMessage(), e);
        }
        if (head.length <= maxInline && !spills(head.length)) {
            checkRoom(key, head.length);
            writes.replace(key.clone(), Typed.of(contentType, head));
            return head.length;
        }
        checkRoom(key, 0); // before the stream is read to disk
        StreamedValue v = store.streamIn(head, in);
        writes.replace(key.clone(), Typed.of(contentType, v));
        return v.length();
    }

    /**
     * Whether a value of {@code length} bytes that a leaf would take goes to
     * a data block instead, as larger ones do: a medium one (over 511 bytes)
     * once this transaction holds {@link #SPILL_AFTER} bytes of writes in
     * memory, or half its {@code maxTransactionBytes}. So a transaction of
     * many medium values (a snapshot stream received into a standby is one)
     * is bounded by the store, not by memory; its medium values then take a
     * block each, as all of them did before they lived in the leaves, and
     * read and are tagged the same.
     */
    private boolean spills(int length) {
        return length > SMALL_VALUE
                && writes.heldBytes() > Math.min(SPILL_AFTER, store.admission.maxTransactionBytes() / 2);
    }

    /** Values up to this size are held in memory however many a transaction writes. */
    static final int SMALL_VALUE = 511;
    /** See {@link #spills}. */
    static final long SPILL_AFTER = 16L << 20;

    /**
     * Removes {@code key} at commit. Like {@link #put} it is a blind write:
     * the answer is what this transaction's snapshot holds, and a commit
     * since then that wrote the key does not make this one conflict (read
     * the key first, with {@link #exists} or {@link #get}, to make the delete
     * depend on it).
     *
     * @return whether the key existed as this transaction saw it
     */
    public boolean delete(byte[] key) {
        checkActive();
        checkWritable();
        Admission.validateKey(key);
        store.admission.checkWriteOfRead(this, key);
        boolean existed = peekExists(key);
        checkRoom(key, 0);
        writes.replace(key.clone(), DELETED);
        return existed;
    }

    /** Refuses a write of {@code key} holding {@code valueBytesInMemory} when the transaction would go past its limit. */
    private void checkRoom(byte[] key, int valueBytesInMemory) {
        if (!receiving) { // a stream is applied whole or not at all: see Receiving
            writes.checkRoom(key, valueBytesInMemory, store.admission.maxTransactionBytes());
        }
    }

    private byte[] bytes(Object own) {
        Object v = Typed.value(own);
        return v instanceof StreamedValue s ? store.materialize(s) : ((byte[]) v).clone();
    }

    /**
     * Entries with keys in {@code [fromInclusive, toExclusive)} in key order,
     * as this transaction sees them; null bounds are open. An empty or
     * inverted range has no entries.
     */
    public Iterable<Map.Entry<byte[], byte[]>> scan(byte[] fromInclusive, byte[] toExclusive) {
        return range(fromInclusive, toExclusive, version::scan, this::bytes);
    }

    /**
     * The entries of {@code [fromInclusive, toExclusive)} as {@code stored}
     * gives them from the snapshot, overlaid with this transaction's writes
     * as {@code own} gives them; the range counts as read.
     */
    private <V> Iterable<Map.Entry<byte[], V>> range(byte[] fromInclusive, byte[] toExclusive,
            BiFunction<byte[], byte[], Iterator<Map.Entry<byte[], V>>> stored, Function<Object, V> own) {
        checkActive();
        byte[] from = fromInclusive == null ? Keys.LOWEST : fromInclusive.clone();
        byte[] to = toExclusive == null ? null : toExclusive.clone();
        if (to != null && Keys.ORDER.compare(from, to) >= 0) {
            return Collections::emptyIterator;
        }
        if (snapshotName == null) {
            reads.range(from, to);
        }
        return () -> new Overlay<>(stored.apply(from, to), writes.range(from, to), DELETED, own);
    }

    /**
     * Keys in {@code [fromInclusive, toExclusive)} in key order with the sizes
     * of their values, as this transaction sees them, without reading the
     * values; null bounds are open.
     */
    public Iterable<Map.Entry<byte[], Long>> sizes(byte[] fromInclusive, byte[] toExclusive) {
        Iterable<Map.Entry<byte[], ValueInfo>> infos = infos(fromInclusive, toExclusive);
        return () -> {
            Iterator<Map.Entry<byte[], ValueInfo>> it = infos.iterator();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public Map.Entry<byte[], Long> next() {
                    Map.Entry<byte[], ValueInfo> e = it.next();
                    return Map.entry(e.getKey(), e.getValue().size());
                }
            };
        };
    }

    /**
     * Like {@link #sizes}, each key with its value's size and media type,
     * as this transaction sees them, without reading the values.
     */
    public Iterable<Map.Entry<byte[], ValueInfo>> infos(byte[] fromInclusive, byte[] toExclusive) {
        return range(fromInclusive, toExclusive, version::infos, WriteSet::info);
    }

    /**
     * Like {@link #infos}, each key with its value's size, strong entity tag
     * (as {@link #etag} gives it) and media type, as this transaction sees
     * them, in one walk of the tree, without reading the values (but for a
     * value small enough for a leaf kept in a data block, one block each:
     * see {@code ObjectLayout.etag}).
     */
    public Iterable<Map.Entry<byte[], ValueTag>> tags(byte[] fromInclusive, byte[] toExclusive) {
        return range(fromInclusive, toExclusive, version::tags, own -> WriteSet.tag(store.blocks, own));
    }

    /**
     * Dooms the transaction: it can only roll back, and {@link #commit} or
     * {@link #prepare} rolls it back and says {@code why}. For a caller that
     * applied part of an all-or-nothing group of writes when one failed.
     */
    public void setRollbackOnly(String why) {
        checkActive();
        if (rollbackOnly == null) {
            rollbackOnly = why;
        }
    }

    /** Whether {@link #setRollbackOnly} doomed this transaction. */
    public boolean isRollbackOnly() {
        return rollbackOnly != null;
    }

    private void refuseIfDoomed() {
        if (rollbackOnly != null) {
            finished = true;
            end();
            throw new CairnException("the transaction was rolled back, as it was marked rollback-only: "
                    + rollbackOnly + "; nothing of it was written");
        }
    }

    /** Makes every write durable and visible, then returns; the transaction is over. */
    public void commit() {
        checkActive();
        refuseIfDoomed();
        finished = true;
        try {
            if (!writes.isEmpty()) {
                if (!receiving) {
                    store.standby().checkWrite(); // the store may have become a standby since the writes
                } else {
                    store.standby().checkStillFollowing(receivingFrom);
                }
                store.commit(this, writes.handOver());
            }
        } finally {
            end();
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
        checkWritable();
        refuseIfDoomed();
        finished = true;
        try {
            store.prepare(this, xid, writes.handOver());
        } finally {
            end();
        }
    }

    /** Drops every write; the transaction is over. */
    public void rollback() {
        checkActive();
        finished = true;
        end();
    }

    /**
     * For {@link Receiving#commit}: commits this transaction's writes
     * and takes snapshot {@code name} of the result in one durable step.
     */
    void commitWithSnapshot(String name) {
        checkActive();
        refuseIfDoomed();
        if (!receiving) {
            throw new IllegalStateException("only a receiving transaction commits with a snapshot");
        }
        finished = true;
        try {
            store.receiving().commitWithSnapshot(this, writes.handOver(), name, receivingFrom);
        } finally {
            end();
        }
    }

    /** Gives back streamed blocks no commit claimed, and lets go of the snapshot. */
    private void end() {
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
}
