package dev.cairn.engine.tree;

import dev.cairn.engine.block.BlockFormat;

/**
 * Space rules of tree nodes. A leaf uses its whole block; a pivot keeps its
 * children in the first half and its message buffer in the second, as gefs
 * does, and the bounds on keys and values guarantee any one message fits a
 * buffer and any one entry a leaf, so a flush always fits.
 */
public final class TreeFormat {

    static final int BLOCK = BlockFormat.BLOCK_SIZE;
    static final int HALF = BLOCK / 2;
    static final int LEAF_HEADER = 6;
    static final int PIVOT_HEADER = 10;
    /** Bytes for a leaf's offset table and records. */
    static final int LEAF_SPACE = BLOCK;
    /** Bytes for a pivot's child table and records: the first half. */
    static final int CHILD_SPACE = HALF - PIVOT_HEADER;
    /** Bytes for a pivot's message table and records: the second half. */
    static final int BUFFER_SPACE = HALF;
    /** Largest value kept inline in the tree; larger ones go to data blocks. */
    public static final int MAX_INLINE_VALUE = 512;
    /** Leaves under this size are merged with a neighbour when they fit together. */
    static final int MERGE_BELOW = BLOCK / 4;

    private TreeFormat() {
    }
}
