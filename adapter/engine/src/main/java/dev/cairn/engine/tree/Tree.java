package dev.cairn.engine.tree;

import dev.cairn.engine.access.BlockAccess;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.block.ReferenceWalker;
import dev.cairn.engine.cache.CachedBlock;
import java.util.AbstractMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * Reads a Bε-tree at a given root. A point read walks down from the root and
 * stops at the first message for its key in a pivot's buffer (upper buffers
 * hold newer messages than lower ones) or at the leaf. A scan merges, at
 * every node, the messages buffered above it into what lies below.
 */
public final class Tree {

    private Tree() {
    }

    /** The value under {@code key} in the tree at {@code root}, or null. */
    public static byte[] get(BlockAccess store, Bptr root, byte[] key) {
        Bptr p = root;
        while (!p.isNone()) {
            try (CachedBlock b = store.read(p)) {
                byte[] buf = b.data();
                SearchIndex[] index = searchIndexes(b);
                if (NodeCodec.type(buf) == BlockFormat.TYPE_LEAF) {
                    int at = index[0].find(key);
                    return at < 0 ? null : NodeCodec.leafValue(buf, at);
                }
                int at = index[1].find(key);
                if (at >= 0) {
                    Msg m = NodeCodec.message(buf, at);
                    return m.op() == Msg.PUT ? m.value() : null;
                }
                p = NodeCodec.childPointer(buf, index[0].floor(key));
            } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
                throw NodeCodec.malformed(p, e); // store.read throws neither: the node's bytes did
            }
        }
        return null;
    }

    /**
     * The values under {@code keys} in the tree at {@code root}, each as
     * {@link #get} gives it (null where absent), in the order of {@code keys}.
     * The keys go down together, in key order: each node on their paths is
     * read and searched once, not once for each key below it (a commit looks
     * up every key it writes, and a bulk commit's keys share the upper
     * levels).
     */
    public static byte[][] getAll(BlockAccess store, Bptr root, byte[][] keys) {
        byte[][] out = new byte[keys.length][];
        if (!root.isNone() && keys.length > 0) {
            int[] order = ascending(keys);
            findAll(store, root, keys, order, 0, order.length, out);
        }
        return out;
    }

    /** Finds {@code keys[order[from..to)]}, which lie in key order, in the subtree at {@code p}. */
    private static void findAll(BlockAccess store, Bptr p, byte[][] keys, int[] order, int from, int to, byte[][] out) {
        List<Bptr> children = new ArrayList<>();
        List<Integer> ends = new ArrayList<>();
        try (CachedBlock b = store.read(p)) {
            byte[] buf = b.data();
            SearchIndex[] index = searchIndexes(b);
            if (NodeCodec.type(buf) == BlockFormat.TYPE_LEAF) {
                for (int i = from; i < to; i++) {
                    int at = index[0].find(keys[order[i]]);
                    out[order[i]] = at < 0 ? null : NodeCodec.leafValue(buf, at);
                }
                return;
            }
            // A key with a message here is answered (upper buffers are newer);
            // the rest close up, still in key order, and go down by child.
            int open = from;
            for (int i = from; i < to; i++) {
                int k = order[i];
                int at = index[1].find(keys[k]);
                if (at >= 0) {
                    Msg m = NodeCodec.message(buf, at);
                    out[k] = m.op() == Msg.PUT ? m.value() : null;
                } else {
                    order[open++] = k;
                }
            }
            int child = -1;
            for (int i = from; i < open; i++) {
                int c = index[0].floor(keys[order[i]]);
                if (c != child) {
                    if (child >= 0) {
                        ends.add(i);
                    }
                    children.add(NodeCodec.childPointer(buf, c));
                    child = c;
                }
            }
            ends.add(open);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw NodeCodec.malformed(p, e); // store.read throws neither: the node's bytes did
        }
        // Down with the node released: a read holds one block at a time, however deep.
        int start = from;
        for (int g = 0; g < children.size(); g++) {
            findAll(store, children.get(g), keys, order, start, ends.get(g), out);
            start = ends.get(g);
        }
    }

    /** Indexes of {@code keys} in key order (as given, when they are in order already). */
    private static int[] ascending(byte[][] keys) {
        int[] order = new int[keys.length];
        boolean sorted = true;
        for (int i = 0; i < keys.length; i++) {
            order[i] = i;
            sorted &= i == 0 || Keys.ORDER.compare(keys[i - 1], keys[i]) <= 0;
        }
        if (sorted) {
            return order;
        }
        return IntStream.range(0, keys.length).boxed()
                .sorted((x, y) -> Keys.ORDER.compare(keys[x], keys[y]))
                .mapToInt(Integer::intValue).toArray();
    }

    /**
     * The node's search indexes, kept with the cached block: made by the
     * commit that wrote the node, or here on the first search of a node read
     * from disk. A block a reader reaches from a root is written already and
     * never changes while it is cached at that address.
     */
    private static SearchIndex[] searchIndexes(CachedBlock b) {
        Object made = b.derived();
        if (made == null) {
            made = NodeCodec.searchIndexes(b.data());
            b.derive(made);
        }
        return (SearchIndex[]) made;
    }

    /** Entries with keys in {@code [from, to)} in key order; {@code to} null for no end. */
    public static Iterator<Map.Entry<byte[], byte[]>> scan(BlockAccess store, Bptr root, byte[] from, byte[] to) {
        return new Scan(store, root, from, to);
    }

    /** The context of a reference to a data block, which refers to nothing. */
    private static final Object DATA = new Object();

    /** The blocks a tree block refers to, for the checker: a pivot's children. */
    public static ReferenceWalker walker() {
        return walker(k -> false, v -> Bptr.NONE);
    }

    /**
     * A walker for a tree whose entries may point at blocks: a pivot refers to
     * its children; an entry whose key {@code pointsOut} refers, as a data
     * block, to the block {@code pointer} gives for its value.
     */
    public static ReferenceWalker walker(Predicate<byte[]> pointsOut,
                                         Function<byte[], Bptr> pointer) {
        return walker((k, v) -> pointsOut.test(k) ? new ReferenceWalker.Ref(pointer.apply(v), DATA) : null);
    }

    /**
     * A walker for a tree whose entries may refer to blocks: a pivot refers to
     * its children (each given, as its context, the messages buffered above
     * it for its range); a leaf's entries, taken as a read sees them (the
     * messages above laid over them, so an entry a buffered delete removed
     * refers to nothing and a buffered put refers to its block), refer to
     * whatever {@code entryRef} makes of them (null: nothing).
     */
    public static ReferenceWalker walker(BiFunction<byte[], byte[], ReferenceWalker.Ref> entryRef) {
        return (bp, block, context) -> {
            if (context == DATA) {
                return List.of(); // raw bytes, no type header: never parsed as a node
            }
            @SuppressWarnings("unchecked")
            NavigableMap<byte[], Msg> above = context instanceof NavigableMap<?, ?> m
                    ? (NavigableMap<byte[], Msg>) m : new TreeMap<>(Keys.ORDER);
            Node n = NodeCodec.unpack(block, bp);
            List<ReferenceWalker.Ref> out = new ArrayList<>();
            if (n instanceof Leaf l) {
                TreeMap<byte[], byte[]> seen = new TreeMap<>(Keys.ORDER);
                for (int i = 0; i < l.count(); i++) {
                    seen.put(l.key(i), l.value(i));
                }
                for (Msg m : above.values()) {
                    if (m.op() == Msg.PUT) {
                        seen.put(m.key(), m.value());
                    } else {
                        seen.remove(m.key());
                    }
                }
                seen.forEach((k, v) -> {
                    ReferenceWalker.Ref r = entryRef.apply(k, v);
                    if (r != null) {
                        out.add(r);
                    }
                });
                return out;
            }
            Pivot p = (Pivot) n;
            for (int i = 0; i < p.children.size(); i++) {
                TreeMap<byte[], Msg> mine = new TreeMap<>(Keys.ORDER);
                for (Msg m : p.messagesFor(i)) {
                    mine.put(m.key(), m);
                }
                byte[] lo = i == 0 ? null : p.children.get(i).key;
                byte[] hi = i + 1 < p.children.size() ? p.children.get(i + 1).key : null;
                NavigableMap<byte[], Msg> fromAbove = above;
                if (lo != null) {
                    fromAbove = fromAbove.tailMap(lo, true);
                }
                if (hi != null) {
                    fromAbove = fromAbove.headMap(hi, false);
                }
                mine.putAll(fromAbove); // messages from higher up are newer
                out.add(new ReferenceWalker.Ref(p.children.get(i).ptr, mine));
            }
            return out;
        };
    }

    private static final class Scan implements Iterator<Map.Entry<byte[], byte[]>> {

        /** A pivot being walked: its next child and the messages above its children. */
        private static final class Frame {
            final Pivot node;
            final NavigableMap<byte[], Msg> pending;
            final byte[] hi;
            int next;

            Frame(Pivot node, NavigableMap<byte[], Msg> pending, byte[] hi, int next) {
                this.node = node;
                this.pending = pending;
                this.hi = hi;
                this.next = next;
            }
        }

        private final BlockAccess store;
        private final byte[] from;
        private final byte[] to;
        private final Deque<Frame> stack = new ArrayDeque<>();
        private final ArrayDeque<Map.Entry<byte[], byte[]>> ready = new ArrayDeque<>();

        Scan(BlockAccess store, Bptr root, byte[] from, byte[] to) {
            this.store = store;
            this.from = from;
            this.to = to;
            if (!root.isNone()) {
                visit(root, null, new TreeMap<>(Keys.ORDER));
            }
        }

        private boolean below(byte[] key, byte[] bound) {
            return bound == null || Keys.ORDER.compare(key, bound) < 0;
        }

        private boolean inRange(byte[] key) {
            return Keys.ORDER.compare(key, from) >= 0 && below(key, to);
        }

        private void visit(Bptr p, byte[] hi, NavigableMap<byte[], Msg> above) {
            Node n;
            try (CachedBlock b = store.read(p)) {
                n = NodeCodec.unpack(b.data(), p);
            }
            if (n instanceof Leaf l) {
                TreeMap<byte[], byte[]> out = new TreeMap<>(Keys.ORDER);
                for (int i = 0; i < l.count(); i++) {
                    byte[] k = l.key(i);
                    if (inRange(k)) {
                        out.put(k, l.value(i));
                    }
                }
                for (Msg m : above.values()) {
                    if (m.op() == Msg.PUT) {
                        out.put(m.key(), m.value());
                    } else {
                        out.remove(m.key());
                    }
                }
                for (Map.Entry<byte[], byte[]> e : out.entrySet()) {
                    ready.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue()));
                }
                return;
            }
            Pivot pv = (Pivot) n;
            TreeMap<byte[], Msg> pending = new TreeMap<>(Keys.ORDER);
            for (Msg m : pv.buffer.all()) {
                if (inRange(m.key())) {
                    pending.put(m.key(), m);
                }
            }
            pending.putAll(above); // messages from higher up are newer
            stack.push(new Frame(pv, pending, hi, pv.route(from)));
        }

        private void advance() {
            while (ready.isEmpty() && !stack.isEmpty()) {
                Frame f = stack.peek();
                List<Pivot.Child> cs = f.node.children;
                if (f.next >= cs.size() || f.next > 0 && !below(cs.get(f.next).key, to)) {
                    stack.pop();
                    continue;
                }
                int i = f.next++;
                byte[] lo = cs.get(i).key;
                byte[] hi = i + 1 < cs.size() ? cs.get(i + 1).key : f.hi;
                NavigableMap<byte[], Msg> mine = f.pending;
                if (i > 0) {
                    mine = mine.tailMap(lo, true);
                }
                if (hi != null) {
                    mine = mine.headMap(hi, false);
                }
                visit(cs.get(i).ptr, hi, new TreeMap<>(mine));
            }
        }

        @Override
        public boolean hasNext() {
            advance();
            return !ready.isEmpty();
        }

        @Override
        public Map.Entry<byte[], byte[]> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.poll();
        }
    }
}
