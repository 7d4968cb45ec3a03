package dev.cairn.engine.tree;

import dev.cairn.engine.block.Bptr;
import java.util.ArrayList;
import java.util.List;

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
    final MessageBuffer buffer = new MessageBuffer();

    void addMessage(Msg m) {
        buffer.add(m);
    }

    int bufferBytes() {
        return buffer.bytes();
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

    /** The buffered messages for child {@code i}'s range, in key order. */
    List<Msg> messagesFor(int i) {
        return buffer.range(lowKey(i), highKey(i));
    }

    /** Removes and returns the buffered messages for child {@code i}, in key order. */
    List<Msg> takeMessagesFor(int i) {
        return buffer.take(lowKey(i), highKey(i));
    }

    /** The lowest key child {@code i} covers, null for the first (it takes everything below too). */
    private byte[] lowKey(int i) {
        return i == 0 ? null : children.get(i).key;
    }

    /** The key above child {@code i}'s range, null for the last. */
    private byte[] highKey(int i) {
        return i + 1 < children.size() ? children.get(i + 1).key : null;
    }

    /**
     * Buffered bytes waiting for each child, by index. One pass over the
     * buffer, which is in key order like the children.
     */
    long[] waitingBytes() {
        long[] bytes = new long[children.size()];
        int child = 0;
        for (Msg m : buffer.all()) {
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
        return TreeFormat.HALF + buffer.bytes();
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
            out.get(p).buffer.load(buffer.range(lo, hi));
        }
        return out;
    }
}
