package dev.cairn.engine.alloc;

import dev.cairn.engine.block.BlockFormat;

/**
 * How much of an arena's reserve an allocation may use. The reserve is what
 * lets a store that puts filled still delete, and so get its space back;
 * but a delete does not always free: a snapshot keeps what it replaces, and
 * a value of up to 4 KiB lives in its leaf, so deleting such values while a
 * snapshot holds them writes new leaves and frees none. Deletes may
 * therefore use most of the reserve and no more, so that what frees in
 * every case, deleting a snapshot or rolling back a prepared branch, still
 * finds room when deletes used theirs up.
 */
public enum Reserve {
    /** Puts: none of it. */
    NONE,
    /**
     * Commits of only deletes, acknowledgements of changes: all but a
     * quarter, and at least a block more than {@link #ALL} leaves; all that
     * {@code ALL} may of a reserve too small to share (two blocks: an arena
     * of under 66 blocks, formatted before new stores got four).
     */
    DELETES,
    /** Snapshot deletions, rollbacks of prepared branches: all but a block for the log to chain to. */
    ALL;

    /**
     * What an allocation must leave free in an arena whose reserve is
     * {@code reserve} bytes. A removal logs its allocations and frees, and
     * a log that found no block to chain to would fail midway through an
     * arena's change: so even {@link #ALL} leaves one block.
     */
    long keep(long reserve) {
        long logKeep = BlockFormat.BLOCK_SIZE;
        return switch (this) {
            case NONE -> reserve;
            case DELETES -> reserve < logKeep + 2L * BlockFormat.BLOCK_SIZE ? logKeep
                    : logKeep + Math.max(BlockFormat.BLOCK_SIZE, (reserve - logKeep) / 4 / BlockFormat.BLOCK_SIZE * BlockFormat.BLOCK_SIZE);
            case ALL -> logKeep;
        };
    }
}
