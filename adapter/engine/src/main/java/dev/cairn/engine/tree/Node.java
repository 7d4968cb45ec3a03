package dev.cairn.engine.tree;

import dev.cairn.engine.block.Bptr;

/**
 * A tree node decoded for change during one batch of updates. {@code origin}
 * is the block it was read from (none for a node born in this batch); when
 * the node is written to a new block, the origin is freed: copy-on-write.
 */
abstract sealed class Node permits Leaf, Pivot {

    Bptr origin = Bptr.NONE;

    /** Bytes the node takes in its block, header included. */
    abstract int size();

    /** The lowest key the node holds or routes (its first entry or child). */
    abstract byte[] firstKey();

    abstract boolean isEmpty();
}
