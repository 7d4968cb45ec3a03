package dev.cairn.engine.object;

import dev.cairn.engine.access.BlockAccess;
import dev.cairn.engine.block.Bptr;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A large value a transaction streamed into data blocks before its commit:
 * the blocks are written but only reserved ({@link BlockAccess#newReservedBlock}),
 * so a transaction that never commits leaks nothing. Claimed at commit (or
 * prepare); otherwise given back when the transaction ends.
 *
 * <p>Which of its blocks are claimed is kept here, not asked of the arena:
 * once a commit claimed a block, a later commit may free it and another
 * transaction reserve it again, and "is it reserved?" would then answer for
 * that other transaction. {@link #unclaimed} is what the ending transaction
 * may give back. Claimed by the committing thread, read by the ending one
 * (the same thread, or after the commit's hand-off).
 */
public final class StreamedValue {

    private final List<Bptr> chunks;
    private final long length;
    /** How many of the first chunks a commit has claimed (they are claimed in order). */
    private final AtomicInteger claimed = new AtomicInteger();

    /**
     * @param chunks the data blocks, in order, each full but the last
     * @param length bytes of the value
     */
    public StreamedValue(List<Bptr> chunks, long length) {
        this.chunks = List.copyOf(chunks);
        this.length = length;
    }

    public List<Bptr> chunks() {
        return chunks;
    }

    public long length() {
        return length;
    }

    /** Bytes held by chunk {@code i}. */
    public int chunkLength(int i) {
        return i < chunks.size() - 1 ? ObjectLayout.CHUNK : (int) (length - (long) i * ObjectLayout.CHUNK);
    }

    /** Chunk {@code i} is claimed: from now on it is the store's (a failed commit frees it), never given back. */
    void claimed(int i) {
        claimed.set(i + 1);
    }

    /** The chunks no commit has claimed: those the transaction gives back when it ends. */
    public List<Bptr> unclaimed() {
        return chunks.subList(claimed.get(), chunks.size());
    }
}
