package dev.cairn.engine.tree;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A leaf being changed: its entries in key order. */
final class Leaf extends Node {

    final TreeMap<byte[], byte[]> entries = new TreeMap<>(Keys.ORDER);
    private int recordBytes;

    static int entrySize(byte[] key, byte[] value) {
        return 2 + 2 + key.length + 2 + value.length;
    }

    void put(byte[] key, byte[] value) {
        byte[] old = entries.put(key, value);
        recordBytes += entrySize(key, value) - (old == null ? 0 : entrySize(key, old));
    }

    void remove(byte[] key) {
        byte[] old = entries.remove(key);
        if (old != null) {
            recordBytes -= entrySize(key, old);
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
        return entries.isEmpty() ? Keys.LOWEST : entries.firstKey();
    }

    @Override
    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Splits into leaves that each fit, about equally full. */
    List<Leaf> split() {
        int parts = Math.max(2, (size() + TreeFormat.LEAF_SPACE - 1) / TreeFormat.LEAF_SPACE);
        int target = Math.min(TreeFormat.LEAF_SPACE - TreeFormat.LEAF_HEADER, recordBytes / parts + 1);
        List<Leaf> out = new ArrayList<>();
        Leaf cur = new Leaf();
        cur.origin = origin;
        for (Map.Entry<byte[], byte[]> e : entries.entrySet()) {
            int add = entrySize(e.getKey(), e.getValue());
            if (!cur.isEmpty() && (cur.recordBytes + add > target || cur.size() + add > TreeFormat.LEAF_SPACE)) {
                out.add(cur);
                cur = new Leaf();
            }
            cur.put(e.getKey(), e.getValue());
        }
        out.add(cur);
        return out;
    }

    /** Takes every entry of {@code right}, which holds only keys above this leaf's. */
    void absorb(Leaf right) {
        right.entries.forEach(this::put);
    }
}
