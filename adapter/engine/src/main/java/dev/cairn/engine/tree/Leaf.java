package dev.cairn.engine.tree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A leaf being changed: its entries in key order, each a packed leaf record
 * ({@link NodeCodec#leafRecord}) held where it already is. An entry decoded
 * from a block stays in a private copy of that block's records; an entry a
 * message wrote is a record of its own. So decoding a leaf is one copy and a
 * walk of its offset table, and packing one is a copy per record: a bulk
 * load rewrites hundreds of leaves a commit to change a few entries of
 * each, and decoding every entry into objects was a fifth of its time.
 */
final class Leaf extends Node {

    /** Entry i is the record at {@code at[i]} in {@code bufs[i]}; both in key order up to {@code count}. */
    private byte[][] bufs = new byte[16][];
    private int[] at = new int[16];
    private int count;
    private int recordBytes;
    /**
     * Entries this leaf held before the last batch of changes began (as
     * decoded, or as a split left it), and whether every entry added since
     * went in at its right end, or just before its last entry (the key
     * count, kept above every user key, ends the rightmost leaf): a leaf
     * that only grows there is being filled in key order, and splits so
     * ({@link #split}). Replacing or removing an entry says nothing either
     * way.
     */
    private int settled;
    private boolean onlyAppended = true;

    int count() {
        return count;
    }

    byte[] key(int i) {
        return NodeCodec.leafKey(bufs[i], at[i]);
    }

    byte[] value(int i) {
        return NodeCodec.leafValue(bufs[i], at[i]);
    }

    /** Copies entry i's record, {@code len} bytes ({@link #recordSize}), into {@code out} at {@code to}. */
    void copyRecord(int i, int len, byte[] out, int to) {
        System.arraycopy(bufs[i], at[i], out, to, len);
    }

    int recordSize(int i) {
        return NodeCodec.leafRecordSize(bufs[i], at[i]);
    }

    /** Index of {@code key}, or {@code -(insertion point) - 1} when absent. */
    int indexOf(byte[] key) {
        int lo = 0;
        int hi = count - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = NodeCodec.compareKeyAt(bufs[mid], at[mid], key);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -lo - 1;
    }

    void put(byte[] key, byte[] value) {
        byte[] rec = NodeCodec.leafRecord(key, value);
        int i = indexOf(key);
        if (i >= 0) {
            recordBytes += rec.length - recordSize(i);
            bufs[i] = rec;
            at[i] = 0;
        } else {
            onlyAppended &= -i - 1 >= count - 1;
            insert(-i - 1, rec, 0);
        }
    }

    /**
     * Adds the record at {@code offset} in {@code buf}, whose key is above
     * every key held: how a decoded block and a split fill a leaf.
     *
     * @throws IllegalArgumentException when its key is not above the last one
     */
    void append(byte[] buf, int offset) {
        if (count > 0 && NodeCodec.compareKeys(bufs[count - 1], at[count - 1], buf, offset) >= 0) {
            throw new IllegalArgumentException("leaf entries out of key order");
        }
        insert(count, buf, offset);
        settled = count;
    }

    private void insert(int i, byte[] buf, int offset) {
        if (count == bufs.length) {
            bufs = Arrays.copyOf(bufs, count * 2);
            at = Arrays.copyOf(at, count * 2);
        }
        System.arraycopy(bufs, i, bufs, i + 1, count - i);
        System.arraycopy(at, i, at, i + 1, count - i);
        bufs[i] = buf;
        at[i] = offset;
        count++;
        recordBytes += 2 + NodeCodec.leafRecordSize(buf, offset);
    }

    void remove(byte[] key) {
        int i = indexOf(key);
        if (i >= 0) {
            recordBytes -= 2 + recordSize(i);
            System.arraycopy(bufs, i + 1, bufs, i, count - i - 1);
            System.arraycopy(at, i + 1, at, i, count - i - 1);
            bufs[--count] = null;
        }
    }

    void apply(Msg m) {
        if (m.op() == Msg.PUT) {
            put(m.key(), m.value());
        } else {
            remove(m.key());
        }
    }

    @Override
    int size() {
        return TreeFormat.LEAF_HEADER + recordBytes;
    }

    @Override
    byte[] firstKey() {
        return count == 0 ? Keys.LOWEST : key(0);
    }

    @Override
    boolean isEmpty() {
        return count == 0;
    }

    /**
     * Splits into leaves that each fit: about equally full, or, for a leaf
     * that held entries and has only grown at its right end since, all but
     * the last {@link #SEQUENTIAL_FILL} full. Keys put in ascending order
     * (ids, times) always land at the right end of the rightmost leaf, and
     * halving it there would leave every leaf behind them half empty: 100-
     * byte values put in key order took 1.80 bytes of blocks per byte
     * ({@code SpaceBench}).
     */
    List<Leaf> split() {
        int parts = Math.max(2, (size() + TreeFormat.LEAF_SPACE - 1) / TreeFormat.LEAF_SPACE);
        int target = onlyAppended && settled > 0
                ? SEQUENTIAL_FILL - TreeFormat.LEAF_HEADER
                : Math.min(TreeFormat.LEAF_SPACE - TreeFormat.LEAF_HEADER, recordBytes / parts + 1);
        List<Leaf> out = new ArrayList<>();
        Leaf cur = new Leaf();
        cur.origin = origin;
        for (int i = 0; i < count; i++) {
            int add = 2 + recordSize(i);
            if (!cur.isEmpty() && (cur.recordBytes + add > target || cur.size() + add > TreeFormat.LEAF_SPACE)) {
                out.add(cur);
                cur = new Leaf();
            }
            cur.append(bufs[i], at[i]);
        }
        out.add(cur);
        for (Leaf part : out) {
            part.onlyAppended = true;
        }
        return out;
    }

    /**
     * How full a leaf filled in key order is left when it splits: not quite
     * full, so that a value of one of its keys may grow a little without
     * splitting it again.
     */
    static final int SEQUENTIAL_FILL = TreeFormat.LEAF_SPACE * 15 / 16;

    /** Takes every entry of {@code right}, which holds only keys above this leaf's. */
    void absorb(Leaf right) {
        for (int i = 0; i < right.count; i++) {
            append(right.bufs[i], right.at[i]);
        }
    }
}
