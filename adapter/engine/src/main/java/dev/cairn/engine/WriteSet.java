package dev.cairn.engine;

import dev.cairn.api.TransactionTooLargeException;
import dev.cairn.engine.access.BlockAccess;
import dev.cairn.engine.object.ObjectLayout;
import dev.cairn.engine.object.StreamedValue;
import dev.cairn.engine.object.Typed;
import dev.cairn.engine.object.ValueInfo;
import dev.cairn.engine.object.ValueTag;
import dev.cairn.engine.tree.Keys;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A transaction's writes until commit, in key order, and what they count
 * against {@code maxTransactionBytes}. Owned by its {@link Txn}, so by one
 * thread at a time.
 *
 * <p>A value is a {@code byte[]}, a {@link StreamedValue} already in data
 * blocks (reserved, not allocated), either one in a {@link Typed} with a
 * media type, or {@link #DELETED}. A streamed value that is replaced, or
 * still held when the write set is cleared, is given back through
 * {@code release}: nothing leaks from a transaction that never commits.
 */
final class WriteSet {

    /** Marks a buffered delete; compared by identity. */
    static final Object DELETED = new Object();

    /**
     * What a write counts against {@code maxTransactionBytes} besides its key
     * and in-memory value: the map entry and array headers here, and the key's
     * place in conflict tracking at commit.
     */
    static final int WRITE_OVERHEAD = 128;

    private final TreeMap<byte[], Object> writes = new TreeMap<>(Keys.ORDER);
    private final Consumer<StreamedValue> release;
    /** What {@code writes} counts against the limit ({@link #counted}). */
    private long heldBytes;

    WriteSet(Consumer<StreamedValue> release) {
        this.release = release;
    }

    /** What the writes count against the limit now. */
    long heldBytes() {
        return heldBytes;
    }

    /** The write of {@code key}: null when this transaction has none. */
    Object get(byte[] key) {
        return writes.get(key);
    }

    boolean isEmpty() {
        return writes.isEmpty();
    }

    /**
     * Refuses a write of {@code key} that would count {@code valueBytesInMemory}
     * when the write set would go past {@code max}; the write set is unchanged.
     */
    void checkRoom(byte[] key, int valueBytesInMemory, long max) {
        long adding = counted(key, valueBytesInMemory);
        if (heldBytes + adding <= max) {
            return; // fits even if the key is new: no lookup of what it replaces
        }
        long after = heldBytes - counted(key, writes.get(key)) + adding;
        if (after > max) {
            throw new TransactionTooLargeException("the transaction would hold " + after + " bytes of writes in memory, "
                    + "more than the store's maxTransactionBytes (" + max + "); this write was refused and the "
                    + "transaction's " + writes.size() + " earlier writes are kept: commit them, or roll back, "
                    + "and write the rest in another transaction (or raise maxTransactionBytes)");
        }
    }

    /** Sets the write of {@code key} (owned: not copied) to {@code value}, giving back a streamed value it replaces. */
    void replace(byte[] key, Object value) {
        Object old = writes.put(key, value);
        heldBytes += counted(key, value) - counted(key, old);
        if (Typed.value(old) instanceof StreamedValue s) {
            release.accept(s);
        }
    }

    /** What a write of {@code key} counts against the limit, with {@code own} as held here (null: none). */
    private static long counted(byte[] key, Object own) {
        if (own == null) {
            return 0;
        }
        return counted(key, Typed.value(own) instanceof byte[] b ? b.length : 0);
    }

    private static long counted(byte[] key, int valueBytesInMemory) {
        return key.length + valueBytesInMemory + WRITE_OVERHEAD;
    }

    /** The writes in {@code [from, to)}, {@code to} null for open. */
    Iterator<Map.Entry<byte[], Object>> range(byte[] from, byte[] to) {
        return (to == null ? writes.tailMap(from, true) : writes.subMap(from, true, to, false)).entrySet().iterator();
    }

    /** The tag a write has once committed (see {@code ObjectLayout.etag}). */
    static ValueTag tag(BlockAccess store, Object own) {
        Object v = Typed.value(own);
        if (v instanceof StreamedValue s && s.length() <= ObjectLayout.maxInline(Typed.contentType(own))) {
            byte[] bytes = ObjectLayout.materialize(store, s);
            return new ValueTag(s.length(), ObjectLayout.inlineEtag(bytes, 0, bytes.length), Typed.contentType(own));
        }
        if (v instanceof StreamedValue s) {
            return new ValueTag(s.length(), ObjectLayout.chunksEtag(s.length(), s.chunks()), Typed.contentType(own));
        }
        byte[] b = (byte[]) v;
        return new ValueTag(b.length, ObjectLayout.inlineEtag(b, 0, b.length), Typed.contentType(own));
    }

    static ValueInfo info(Object own) {
        Object v = Typed.value(own);
        return new ValueInfo(v instanceof StreamedValue sv ? sv.length() : ((byte[]) v).length, Typed.contentType(own));
    }

    /**
     * The writes as the store takes them, null for a delete. Converted in
     * place, not copied (a bulk transaction's write set is most of its
     * memory): the transaction is over, and {@link #clear} only empties it.
     */
    TreeMap<byte[], Object> handOver() {
        writes.replaceAll((k, v) -> v == DELETED ? null : v);
        return writes;
    }

    /** Empties the write set, giving back the streamed values no commit claimed. */
    void clear() {
        for (Object v : writes.values()) {
            if (Typed.value(v) instanceof StreamedValue s) {
                release.accept(s);
            }
        }
        writes.clear();
        heldBytes = 0;
    }
}
