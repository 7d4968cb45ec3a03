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
    /**
     * Largest value kept inline in the tree; larger ones go to data blocks.
     * Room for 4 KiB of a user's value with the object layer's kind byte and
     * a media type of up to 255 bytes (its length byte and itself): so
     * every value of up to 4 KiB lives in its leaf, typed or not. Half a
     * block, a pivot's buffer, holds one such message and smaller ones.
     */
    public static final int MAX_INLINE_VALUE = 4096 + 1 + 1 + 255;
    /** Leaves under this size are merged with a neighbour when they fit together. */
    static final int MERGE_BELOW = BLOCK / 4;
    /**
     * Most children a pivot right above the leaves keeps; it splits beyond
     * that even when its child half has room. Why: a full buffer flushes the
     * child with the most messages waiting, and a half-block buffer holds
     * about fifty small messages. Spread over the nearly two hundred children
     * a child half can name, the heaviest child has three or four of them, so
     * nearly every message cost a 16 KiB leaf rewrite: a batch of 1000 random
     * puts into 77,000 keys wrote 337 blocks ({@code TreeShapeTest}). Over at
     * most 24 children a flush carries several times more, and the same batch
     * writes 149. (12, 16, 20 and 32 gave 153, 148, 148 and 161; of the best,
     * the widest keeps the tree shallow longest.)
     *
     * <p>Higher pivots keep their full fan-out: capping them too (at 16)
     * wrote fewer blocks still, 121, but made that tree five levels deep
     * where three do, and every read pays for each level. Even so the cap
     * costs depth: with 13-byte keys and 100-byte values the tree grows its
     * fourth level at about 196,000 keys instead of 1.2 million, and reads
     * in between pass one more pivot. It is a choice of shape, not of
     * format: a pivot of any fan-out reads the same, and a store written
     * before the cap reshapes a pivot the first time one of its leaves
     * changes.
     */
    static final int MAX_CHILDREN_ABOVE_LEAVES = 24;

    private TreeFormat() {
    }
}
