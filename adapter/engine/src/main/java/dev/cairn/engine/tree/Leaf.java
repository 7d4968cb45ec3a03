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

    /** Splits into leaves that each fit, about equally full. */
    List<Leaf> split() {
        int parts = Math.max(2, (size() + TreeFormat.LEAF_SPACE - 1) / TreeFormat.LEAF_SPACE);
        int target = Math.min(TreeFormat.LEAF_SPACE - TreeFormat.LEAF_HEADER, recordBytes / parts + 1);
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
        return out;
    }

    /** Takes every entry of {@code right}, which holds only keys above this leaf's. */
    void absorb(Leaf right) {
        for (int i = 0; i < right.count; i++) {
            append(right.bufs[i], right.at[i]);
        }
    }
}
