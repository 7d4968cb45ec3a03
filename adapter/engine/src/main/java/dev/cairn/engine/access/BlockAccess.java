package dev.cairn.engine.access;

import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.cache.CachedBlock;
import dev.cairn.engine.work.Workers;
import java.util.List;

/**
 * The block operations the tree ({@code tree}), the values ({@code object})
 * and the snapshot table ({@code txn}) use. The engine root's
 * {@code BlockStore} implements it; the layers take this interface so that
 * they need not import the root, which imports them. The reasons behind each
 * contract (the generations, the syncs, the crash invariants and the lock
 * order) are stated on {@code BlockStore}.
 */
public interface BlockAccess {

    /**
     * The block {@code bp} points to, held until closed. Read from disk when
     * not cached, and then verified against the pointer's hash.
     *
     * @throws dev.cairn.api.CorruptBlockException naming the address when the bytes do not match
     */
    CachedBlock read(Bptr bp);

    /**
     * Copies whole blocks, in order, into {@code dst} from {@code off}, one
     * block size each, every one verified against its pointer's hash: for
     * bulk data a reader copies once (a large value's chunks). A cached block
     * is copied from the cache; the others are read straight into {@code dst},
     * blocks at consecutive addresses in one read, and not cached.
     *
     * @throws dev.cairn.api.CorruptBlockException naming the address of a block that does not match
     */
    void readInto(List<Bptr> blocks, byte[] dst, int off);

    /**
     * Finalizes a filled block and queues it for writing.
     *
     * @return the pointer that refers to it: address, hash of its bytes, birth generation
     */
    Bptr write(CachedBlock b);

    /**
     * Like {@link #write}, but the block goes to the syncers only when the
     * next sync turns the generation, and not at all if it is freed before:
     * for a block the generation is likely to replace, such as a tree's
     * root. Call it within the generation ({@code BlockStore.withinGeneration}).
     */
    Bptr writeAtSync(CachedBlock b);

    /**
     * Allocates a block of {@code type}, dirty and held, whose bytes past its
     * type hold whatever its recycled buffer held: for a caller that sets
     * every byte. Fill it, then {@link #write} it.
     *
     * @param hint spreads related blocks: equal hints prefer equal arenas
     * @throws dev.cairn.api.StoreFullException when no arena has a free block
     */
    CachedBlock newBlockToOverwrite(int type, int hint);

    /**
     * A data block for a value filled before its transaction commits: taken,
     * but its allocation not logged, so a transaction that never commits (a
     * crash, a rollback) leaks nothing. {@link #claim} logs it at commit;
     * {@link #unreserve} gives it back. The caller sets every byte.
     */
    CachedBlock newReservedBlock(int hint);

    /**
     * Gives back a reserved block that will never be claimed.
     *
     * @return false when the block is not reserved (a commit claimed it)
     */
    boolean unreserve(Bptr bp);

    /** Like {@link #unreserve(Bptr)}, for a reserved block whose write never returned a pointer. */
    boolean unreserve(long addr);

    /**
     * Frees a block; it is reused only once no durable root and no reader
     * can reach it.
     */
    void free(Bptr bp);

    /**
     * Logs the allocation of reserved blocks; call within the generation of
     * the root that refers to them ({@code BlockStore.withinGeneration}).
     */
    void claim(List<Bptr> blocks);

    /**
     * The hint for one large value's data blocks: pass it for every chunk of
     * the value, so the chunks come from one arena one after another and
     * reach the disk as one long write.
     */
    int valueHint();

    /** Where the engine gets its threads. */
    Workers workers();
}
