package dev.cairn.engine.tree;

import dev.cairn.engine.block.Bptr;

/**
 * The decoded root that the last adopted writer of a tree left behind, so
 * that the next writer starts from it instead of unpacking the block again:
 * unpacking the root pivot and its whole message buffer was the largest
 * single cost of a small commit.
 *
 * <p>Handed on only along the chain of adopted roots. A writer leaves its
 * new root here when its caller adopts the new tree ({@link TreeWriter#commit});
 * the next writer takes it only when it starts from that very block (same
 * address, generation and hash), and taking empties the memo, because the
 * writer then changes the node in place. A writer that is aborted leaves
 * nothing, so a root that was given up is never reused.
 *
 * <p>Not thread safe: whoever serializes the tree's writers (the store's
 * commit lock) guards it.
 */
public final class RootMemo {

    private Bptr root = Bptr.NONE;
    private Node node;

    /** The decoded node of {@code from} when it is the root left here; the memo is empty afterwards. */
    Node take(Bptr from) {
        Node n = !from.isNone() && from.equals(root) ? node : null;
        forget();
        return n;
    }

    void leave(Bptr at, Node n) {
        n.origin = at;
        root = at;
        node = n;
    }

    /** The root whose decoded node is here, or none. */
    Bptr remembered() {
        return root;
    }

    void forget() {
        root = Bptr.NONE;
        node = null;
    }
}
