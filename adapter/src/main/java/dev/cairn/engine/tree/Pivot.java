package dev.cairn.engine.tree;

import dev.cairn.engine.block.Bptr;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A pivot being changed: its children, each routing the keys from its own
 * key up to the next child's, and its buffer of messages on their way down.
 */
final class Pivot extends Node {

    /** One child: the lowest key it covers, where it is, how full it was, or its changed node. */
    static final class Child {
        byte[] key;
        Bptr ptr;
        int fill;
        /** The child's node when this batch changed it; written before this pivot. */
        Node dirty;

        Child(byte[] key, Bptr ptr, int fill) {
            this.key = key;
            this.ptr = ptr;
            this.fill = fill;
        }

        static Child of(byte[] key, Node node) {
            Child c = new Child(key, Bptr.NONE, node.size());
            c.dirty = node;
            return c;
        }

        int packedSize() {
            return 2 + 2 + key.length + Bptr.SIZE + 2;
        }
    }

    final List<Child> children = new ArrayList<>();
    final TreeMap<byte[], Msg> buffer = new TreeMap<>(Keys.ORDER);
    private int bufferBytes;

    void addMessage(Msg m) {
        Msg old = buffer.put(m.key(), m);
        bufferBytes += m.packedSize() - (old == null ? 0 : old.packedSize());
    }

    /**
     * Fills the empty buffer with messages already in strictly ascending key
     * order (a decoded block's, or a range of another buffer), in linear
     * time: a put each cost a descent of some seven comparisons, and decoding
     * the pivots a bulk commit flushes through was a twentieth of its CPU.
     *
     * @throws IllegalArgumentException when they are not in order
     */
    void loadBuffer(List<Msg> sorted) {
        if (!buffer.isEmpty()) {
            throw new IllegalStateException("the buffer is not empty");
        }
        for (int i = 1; i < sorted.size(); i++) {
            if (Keys.ORDER.compare(sorted.get(i - 1).key(), sorted.get(i).key()) >= 0) {
                throw new IllegalArgumentException("buffered messages out of key order");
            }
        }
        buffer.putAll(new SortedMessages(sorted)); // TreeMap builds from a SortedMap of its order without comparing
        for (Msg m : sorted) {
            bufferBytes += m.packedSize();
        }
    }

    /** Messages in key order, seen as the {@link SortedMap} that {@link TreeMap#putAll} builds from in one pass. */
    private static final class SortedMessages extends AbstractMap<byte[], Msg>
            implements SortedMap<byte[], Msg> {
        private final List<Msg> sorted;

        SortedMessages(List<Msg> sorted) {
            this.sorted = sorted;
        }

        @Override
        public Comparator<? super byte[]> comparator() {
            return Keys.ORDER;
        }

        @Override
        public int size() {
            return sorted.size();
        }

        @Override
        public Set<Map.Entry<byte[], Msg>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Map.Entry<byte[], Msg>> iterator() {
                    Iterator<Msg> it = sorted.iterator();
                    return new Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Map.Entry<byte[], Msg> next() {
                            Msg m = it.next();
                            return Map.entry(m.key(), m);
                        }
                    };
                }

                @Override
                public int size() {
                    return sorted.size();
                }
            };
        }

        @Override
        public SortedMap<byte[], Msg> subMap(byte[] from, byte[] to) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SortedMap<byte[], Msg> headMap(byte[] to) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SortedMap<byte[], Msg> tailMap(byte[] from) {
            throw new UnsupportedOperationException();
        }

        @Override
        public byte[] firstKey() {
            return sorted.get(0).key();
        }

        @Override
        public byte[] lastKey() {
            return sorted.get(sorted.size() - 1).key();
        }
    }

    int bufferBytes() {
        return bufferBytes;
    }

    int childBytes() {
        int n = 0;
        for (Child c : children) {
            n += c.packedSize();
        }
        return n;
    }

    /** Index of the child whose range holds {@code key}. */
    int route(byte[] key) {
        int lo = 0;
        int hi = children.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (Keys.ORDER.compare(children.get(mid).key, key) <= 0) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** The buffered messages for child {@code i}'s range. */
    NavigableMap<byte[], Msg> messagesFor(int i) {
        byte[] lo = i == 0 ? null : children.get(i).key;
        byte[] hi = i + 1 < children.size() ? children.get(i + 1).key : null;
        NavigableMap<byte[], Msg> m = buffer;
        if (lo != null) {
            m = m.tailMap(lo, true);
        }
        if (hi != null) {
            m = m.headMap(hi, false);
        }
        return m;
    }

    /** Removes and returns the buffered messages for child {@code i}. */
    List<Msg> takeMessagesFor(int i) {
        NavigableMap<byte[], Msg> range = messagesFor(i);
        List<Msg> out = new ArrayList<>(range.values());
        for (Msg m : out) {
            bufferBytes -= m.packedSize();
        }
        range.clear();
        return out;
    }

    /**
     * Buffered bytes waiting for each child, by index. One pass over the
     * buffer, which is in key order like the children.
     */
    long[] waitingBytes() {
        long[] bytes = new long[children.size()];
        int child = 0;
        for (Msg m : buffer.values()) {
            while (child + 1 < children.size() && Keys.ORDER.compare(children.get(child + 1).key, m.key()) <= 0) {
                child++;
            }
            bytes[child] += m.packedSize();
        }
        return bytes;
    }

    /** The index of the largest figure, the first on a tie: the child gefs flushes to. */
    static int heaviest(long[] waiting) {
        int best = 0;
        for (int i = 1; i < waiting.length; i++) {
            if (waiting[i] > waiting[best]) {
                best = i;
            }
        }
        return best;
    }

    @Override
    int size() {
        return TreeFormat.HALF + bufferBytes;
    }

    @Override
    byte[] firstKey() {
        return children.get(0).key;
    }

    @Override
    boolean isEmpty() {
        return children.isEmpty();
    }

    /**
     * Whether this pivot's children are leaves, as far as this batch can tell
     * without reading them: one of them is a changed leaf. A pivot gains
     * children only when a changed child splits, so one that has outgrown
     * {@link TreeFormat#MAX_CHILDREN_ABOVE_LEAVES} always has such a child.
     */
    boolean aboveChangedLeaf() {
        for (Child c : children) {
            if (c.dirty instanceof Leaf) {
                return true;
            }
        }
        return false;
    }

    /** Whether this pivot must split: its children overflow their half, or it sits above leaves and has too many. */
    boolean tooManyChildren() {
        return childBytes() > TreeFormat.CHILD_SPACE
                || children.size() > TreeFormat.MAX_CHILDREN_ABOVE_LEAVES && aboveChangedLeaf();
    }

    /**
     * Splits a pivot with too many children (see {@link #tooManyChildren})
     * into pivots that each fit, about equal, messages going with their range.
     */
    List<Pivot> split() {
        int total = childBytes();
        int parts = Math.max(2, (total + TreeFormat.CHILD_SPACE - 1) / TreeFormat.CHILD_SPACE);
        if (aboveChangedLeaf()) {
            int most = TreeFormat.MAX_CHILDREN_ABOVE_LEAVES;
            parts = Math.max(parts, (children.size() + most - 1) / most);
        }
        int target = Math.min(TreeFormat.CHILD_SPACE, total / parts + 1);
        int perPart = (children.size() + parts - 1) / parts;
        List<Pivot> out = new ArrayList<>();
        Pivot cur = new Pivot();
        cur.origin = origin;
        int curBytes = 0;
        for (Child c : children) {
            if (!cur.children.isEmpty() && (curBytes + c.packedSize() > target || cur.children.size() == perPart)) {
                out.add(cur);
                cur = new Pivot();
                curBytes = 0;
            }
            cur.children.add(c);
            curBytes += c.packedSize();
        }
        out.add(cur);
        for (int p = 0; p < out.size(); p++) {
            byte[] lo = p == 0 ? null : out.get(p).children.get(0).key;
            byte[] hi = p + 1 < out.size() ? out.get(p + 1).children.get(0).key : null;
            NavigableMap<byte[], Msg> range = buffer;
            if (lo != null) {
                range = range.tailMap(lo, true);
            }
            if (hi != null) {
                range = range.headMap(hi, false);
            }
            out.get(p).loadBuffer(new ArrayList<>(range.values()));
        }
        return out;
    }
}
