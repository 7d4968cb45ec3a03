package dev.cairn.engine.tree;

import dev.cairn.engine.access.BlockAccess;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.cache.CachedBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Applies a batch of messages to a tree, copy-on-write, and yields the new
 * root. Messages go into the root's buffer; a buffer that overflows flushes
 * into the child with the most bytes waiting for it, recursively; leaves
 * apply their messages, split when full and merge with a neighbour when
 * small and the two fit (the parent's fill figures say so without reading
 * the neighbour); a root that splits grows a new root, and a root pivot left
 * with one child and no messages gives way to that child.
 *
 * <p>Nodes changed by the batch stay decoded in memory until {@link #finish},
 * which writes them children first; a batch whose messages pass a few
 * megabytes settles along the way (writes what it changed so far and keeps
 * only the new root decoded), so a batch of any size holds a bounded part of
 * itself in memory. The blocks the batch replaces are freed only by
 * {@link #commit}, after the caller made the new root its own; until then the
 * old tree is untouched, so {@link #abort} just frees what was written.
 * One writer at a time per tree (the caller serializes commits).
 *
 * <p>A writer given a {@link RootMemo} starts from the decoded root the
 * previous adopted writer left there, when it starts from that root, and
 * leaves its own new root there when adopted.
 */
public final class TreeWriter {

    /** Message bytes a batch takes in before it settles (see the class comment). */
    static final long SETTLE_BYTES = 4L << 20;

    private final BlockAccess store;
    private final long settleBytes;
    /** Message bytes taken in since the batch began or last settled. */
    private long unsettled;
    private int settles;
    private Node root;
    private final List<Bptr> replaced = new ArrayList<>();
    private final List<Bptr> written = new ArrayList<>();
    private final RootMemo memo;
    /** The root {@link #finish} wrote, and its node, to leave in the memo once adopted. */
    private Bptr wroteRoot = Bptr.NONE;
    private Node wroteRootNode;

    public TreeWriter(BlockAccess store, Bptr root) {
        this(store, root, new RootMemo());
    }

    public TreeWriter(BlockAccess store, Bptr root, RootMemo memo) {
        this(store, root, memo, SETTLE_BYTES);
    }

    TreeWriter(BlockAccess store, Bptr root, RootMemo memo, long settleBytes) {
        this.store = store;
        this.memo = memo;
        this.settleBytes = settleBytes;
        Node remembered = memo.take(root);
        this.root = root.isNone() ? new Leaf() : remembered != null ? remembered : load(root);
    }

    private Node load(Bptr p) {
        try (CachedBlock b = store.read(p)) {
            return NodeCodec.unpack(b.data(), p);
        }
    }

    /** Adds one message; a newer message for a key replaces an older one of this batch. */
    public void apply(Msg m) {
        if (root instanceof Leaf l) {
            l.apply(m);
        } else {
            ((Pivot) root).addMessage(m);
        }
        unsettled += m.packedSize();
        if (unsettled > settleBytes) {
            settle();
        }
    }

    /**
     * Takes the newest message for {@code key} out of the buffers on its
     * path and applies it to its leaf, dropping the older ones it replaces.
     * For a write that makes a leaf entry much smaller (a delete of a medium
     * value): a small message waiting in a buffer keeps its key's old value
     * in the leaf until a flush brings it down, and small messages are what
     * a buffer holds many of, so without this a store full of medium values
     * would keep their space after they were all deleted (a buffer fills
     * only as further writes come, and a full store takes none). The path
     * is rewritten; nothing happens when no buffer holds a message for the
     * key.
     */
    public void pushDown(byte[] key) {
        if (root instanceof Pivot p) {
            pushDown(p, key, null);
        }
    }

    /** @return whether {@code p} changed */
    private boolean pushDown(Pivot p, byte[] key, Msg newer) {
        Msg here = p.buffer.remove(key);
        Msg m = newer != null ? newer : here; // a higher buffer's message is the newer
        int i = p.route(key);
        Pivot.Child c = p.children.get(i);
        Node child = c.dirty != null ? c.dirty : load(c.ptr);
        boolean below;
        if (child instanceof Leaf l) {
            below = m != null;
            if (below) {
                l.apply(m);
            }
        } else {
            below = pushDown((Pivot) child, key, m);
        }
        if (below) {
            replaceChild(p, i, fix(child));
        }
        return below || here != null;
    }

    /**
     * Writes every node the batch changed so far and goes on from the new
     * root, kept decoded. What this writes belongs to the batch like anything
     * {@link #finish} writes: {@link #abort} frees it, and a node written
     * here and changed again later is replaced like any other (its block then
     * goes at {@link #commit}).
     */
    private void settle() {
        unsettled = 0;
        settles++;
        Bptr r = finish(false); // a root the batch goes on from: not one a sync will take
        Node kept = wroteRootNode;
        wroteRoot = Bptr.NONE;
        wroteRootNode = null;
        if (kept != null) {
            kept.origin = r;
            root = kept;
        } else {
            root = r.isNone() ? new Leaf() : load(r);
        }
    }

    /**
     * Writes every changed node and returns the new root (none for an empty
     * tree). The root block goes to the disk only if the next sync still
     * finds it in use ({@link BlockAccess#writeAtSync}): under concurrent
     * commits, most roots are replaced within their generation.
     */
    public Bptr finish() {
        return finish(true);
    }

    private Bptr finish(boolean rootAtSync) {
        List<Node> top = fix(root);
        while (true) {
            if (top.size() > 1) {
                top = fix(grow(top));
                continue;
            }
            Node r = top.get(0);
            if (r instanceof Pivot p && p.children.size() == 1 && p.buffer.isEmpty()) {
                retire(p.origin);
                Pivot.Child only = p.children.get(0);
                if (only.dirty == null) {
                    return only.ptr;
                }
                top = List.of(only.dirty);
                continue;
            }
            if (r instanceof Leaf l && l.isEmpty()) {
                retire(l.origin);
                return Bptr.NONE;
            }
            wroteRoot = write(r, rootAtSync);
            wroteRootNode = r;
            return wroteRoot;
        }
    }

    /**
     * Does in memory what {@link #finish} does before it writes: flushes
     * overflowing buffers down and splits what no longer fits (a root that
     * splits grows a new root). More messages may follow. For a caller with
     * something to wait for: the flushing is most of a batch's work, and
     * done now it is not done again at {@code finish}.
     */
    public void flushInMemory() {
        List<Node> top = fix(root);
        while (top.size() > 1) {
            top = fix(grow(top));
        }
        root = top.get(0);
    }

    /** A new root over the parts a root split into. */
    private static Pivot grow(List<Node> parts) {
        Pivot grown = new Pivot();
        for (int i = 0; i < parts.size(); i++) {
            grown.children.add(Pivot.Child.of(i == 0 ? Keys.LOWEST : parts.get(i).firstKey(), parts.get(i)));
        }
        return grown;
    }

    /** How many times this batch settled (for tests: that a small threshold really makes it settle). */
    int settles() {
        return settles;
    }

    /** Frees the blocks the old tree no longer needs; call once the new root is in use. */
    public void commit() {
        commit(store::free);
    }

    /**
     * Hands the blocks the old tree no longer needs to {@code kill} (which
     * frees them, or keeps them for a snapshot that still reaches them).
     */
    public void commit(Consumer<Bptr> kill) {
        replaced.forEach(kill);
        replaced.clear();
        if (wroteRootNode != null) {
            memo.leave(wroteRoot, wroteRootNode);
            wroteRootNode = null;
        }
    }

    /** Frees what this batch wrote; the old tree stays as it was. */
    public void abort() {
        written.forEach(store::free);
        written.clear();
        replaced.clear();
        // Also after commit: the caller may give up a tree it adopted (see ObjectWriter.Applied).
        memo.forget();
        wroteRootNode = null;
    }

    private void retire(Bptr origin) {
        if (!origin.isNone()) {
            replaced.add(origin);
        }
    }

    /** Brings a changed node within its block, splitting it when it cannot be. */
    private List<Node> fix(Node n) {
        if (n instanceof Leaf l) {
            return l.size() <= TreeFormat.LEAF_SPACE ? List.of(l) : new ArrayList<>(l.split());
        }
        Pivot p = (Pivot) n;
        // Flushing a child takes all its messages and leaves the other
        // children's waiting bytes as they were, unless the children were
        // split, merged or removed: count once, recount only then. (Counting
        // for every flush was a tenth of a bulk load.)
        long[] waiting = p.bufferBytes() > TreeFormat.BUFFER_SPACE ? p.waitingBytes() : null;
        while (p.bufferBytes() > TreeFormat.BUFFER_SPACE) {
            int i = Pivot.heaviest(waiting);
            if (flush(p, i)) {
                waiting = p.waitingBytes();
            } else {
                waiting[i] = 0;
            }
        }
        if (p.tooManyChildren()) {
            return new ArrayList<>(p.split());
        }
        return List.of(p);
    }

    /**
     * Moves every message waiting for child {@code i} into it.
     *
     * @return whether the pivot's children changed other than child
     *         {@code i}'s node (split, merged, removed)
     */
    private boolean flush(Pivot p, int i) {
        List<Msg> msgs = p.takeMessagesFor(i);
        Pivot.Child c = p.children.get(i);
        Node child = c.dirty != null ? c.dirty : load(c.ptr);
        if (child instanceof Leaf l) {
            msgs.forEach(l::apply);
        } else {
            // The parent's messages are newer than anything below: they replace.
            msgs.forEach(((Pivot) child)::addMessage);
        }
        return replaceChild(p, i, fix(child));
    }

    /** @return whether the children changed other than child {@code i}'s node */
    private boolean replaceChild(Pivot p, int i, List<Node> parts) {
        boolean reshaped = parts.size() != 1;
        byte[] low = p.children.get(i).key;
        p.children.remove(i);
        for (int j = 0; j < parts.size(); j++) {
            p.children.add(i + j, Pivot.Child.of(j == 0 ? low : parts.get(j).firstKey(), parts.get(j)));
        }
        for (int j = i + parts.size() - 1; j >= i; j--) {
            Node part = p.children.get(j).dirty;
            if (part != null && isEmpty(part) && p.children.size() > 1) {
                retireAll(part);
                p.children.remove(j);
                reshaped = true;
            } else if (part instanceof Leaf l && l.size() < TreeFormat.MERGE_BELOW) {
                reshaped |= mergeWithNeighbour(p, j, l);
            }
        }
        if (!p.children.isEmpty()) {
            p.children.get(0).key = Keys.LOWEST;
        }
        return reshaped;
    }

    /**
     * Whether a changed node holds nothing: an empty leaf, or a pivot with
     * no messages over one changed child that holds nothing (a pivot keeps
     * its last child even when that empties, so a subtree whose keys were
     * all deleted is a chain of such pivots; left in place, each is a block
     * of a tree that holds nothing).
     */
    private static boolean isEmpty(Node n) {
        if (n instanceof Leaf l) {
            return l.isEmpty();
        }
        Pivot p = (Pivot) n;
        return p.buffer.isEmpty() && p.children.size() == 1 && p.children.get(0).dirty != null
                && isEmpty(p.children.get(0).dirty);
    }

    /** Retires a subtree {@link #isEmpty} found empty: its blocks go when the batch commits. */
    private void retireAll(Node n) {
        retire(n.origin);
        n.origin = Bptr.NONE;
        if (n instanceof Pivot p) {
            retireAll(p.children.get(0).dirty);
        }
    }

    /**
     * Merges a small leaf at index {@code j} with its right (or left)
     * neighbour when both fit in one block.
     *
     * @return whether it merged
     */
    private boolean mergeWithNeighbour(Pivot p, int j, Leaf small) {
        for (int k : new int[] {j + 1, j - 1}) {
            if (k < 0 || k >= p.children.size()) {
                continue;
            }
            Pivot.Child nb = p.children.get(k);
            int nbSize = nb.dirty != null ? nb.dirty.size() : nb.fill;
            if (nbSize + small.size() > TreeFormat.BLOCK * 3 / 4) {
                continue;
            }
            Node other = nb.dirty != null ? nb.dirty : load(nb.ptr);
            if (!(other instanceof Leaf o)) {
                return false;
            }
            int left = Math.min(j, k);
            Leaf into = (Leaf) (left == j ? small : o);
            Leaf from = (Leaf) (left == j ? o : small);
            into.absorb(from);
            retire(from.origin);
            from.origin = Bptr.NONE;
            p.children.get(left).dirty = into;
            p.children.get(left).fill = into.size();
            p.children.remove(left + 1);
            return true;
        }
        return false;
    }

    /** @param atSync written only if the next sync finds it in use (for the root, which the next commit likely replaces) */
    private Bptr write(Node n, boolean atSync) {
        if (n instanceof Pivot p) {
            for (Pivot.Child c : p.children) {
                if (c.dirty != null) {
                    c.ptr = write(c.dirty, false);
                    c.fill = NodeCodec.packedFill(c.dirty.size()); // as a decoded pivot has it
                    c.dirty = null;
                }
            }
        }
        Bptr bp;
        try (CachedBlock b = store.newBlockToOverwrite(n instanceof Leaf ? BlockFormat.TYPE_LEAF : BlockFormat.TYPE_PIVOT, 0)) {
            NodeCodec.pack(n, b.data());
            // Index it while its bytes are still in the CPU's cache: the next
            // commit's reads search the nodes this one wrote. (Made on first
            // search, fresh leaves' indexes took 4.7% of a bulk commit's CPU;
            // made here, 2.2%.)
            b.derive(NodeCodec.searchIndexes(b.data()));
            bp = atSync ? store.writeAtSync(b) : store.write(b);
        }
        written.add(bp);
        retire(n.origin);
        n.origin = Bptr.NONE;
        return bp;
    }
}
