package dev.cairn.engine;

import dev.cairn.api.CairnException;
import dev.cairn.engine.alloc.Arena;
import dev.cairn.engine.block.Bptr;

/**
 * How a block no version needs gets back to its arena. A block born after the
 * latest started sync is freed at once: its free is logged, and once the
 * epoch grace has passed (no reader can still reach it) its syncer releases
 * it. An older one may be reached by the durable root or the root being
 * synced, so its free is deferred to the next sync that starts after it
 * ({@link SyncPass} logs it then and hands it to {@link #retire}).
 *
 * <p>Every release goes through the block's syncer queue, after any write
 * of it the syncer already gathered: a late write never lands on the block's
 * next use, above all a log block, which is written directly.
 *
 * <p>Locks: the block store's segment lock shared, then the arena's lock,
 * as {@link BlockStore} orders them; the cache's locks after both.
 */
final class BlockFrees {

    private final BlockStore bs;

    BlockFrees(BlockStore bs) {
        this.bs = bs;
    }

    void free(Bptr bp) {
        bs.checkWritable();
        Arena a = bs.arenaOf(bp.addr());
        if (a == null) {
            throw new CairnException("not a block of this store: " + bp);
        }
        boolean now;
        BlockStore.AtSync unwritten = null;
        bs.segmentLock.readLock().lock();
        try {
            a.lock.lock();
            try {
                now = bp.gen() > bs.protectedGen;
                if (now) {
                    a.logFree(bp.addr());
                    unwritten = bs.atSync.remove(bp.addr());
                } else {
                    a.deferFree(bp.addr(), bp.gen(), bs.protectedGen);
                }
            } finally {
                a.lock.unlock();
            }
        } finally {
            bs.segmentLock.readLock().unlock();
        }
        if (unwritten != null) {
            // Never to be written, so the cache may let it go: only the freer
            // held a pointer to it (a root is reached from the superblock
            // alone, and this one never reaches a superblock).
            bs.cache.written(unwritten.block());
        }
        if (now) {
            bs.cache.discardUnwritten(bp.addr());
            retire(new Arena.Released(bp.addr(), bp.gen()));
        }
    }

    /**
     * Gives back a reserved block no commit claimed.
     *
     * @return false when the block is not reserved (a commit claimed it)
     */
    boolean unreserve(long addr) {
        Arena a = bs.arenaOf(addr);
        a.lock.lock();
        try {
            if (!a.isReserved(addr)) {
                return false;
            }
            bs.cache.forget(addr); // a queued write of it is skipped, and it is never served again
            a.unreserve(addr);
        } finally {
            a.lock.unlock();
        }
        // No epoch grace: no root ever reached it.
        bs.syncers.free(bs.syncerOf(addr), addr);
        return true;
    }

    /** A logged free: released by its syncer once no reader of an epoch born before it remains. */
    void retire(Arena.Released r) {
        int syncer = bs.syncerOf(r.addr());
        bs.epochs.retire(r.born(), () -> bs.syncers.free(syncer, r.addr()));
    }

    /** On a syncer: the grace period of a freed block has passed; make it allocatable. */
    void release(long addr) {
        Arena a = bs.arenaOf(addr);
        a.lock.lock();
        try {
            bs.cache.forget(addr);
            a.release(addr);
        } finally {
            a.lock.unlock();
        }
    }
}
