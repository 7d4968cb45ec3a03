package dev.cairn.engine;

import dev.cairn.engine.alloc.Arena;
import dev.cairn.engine.cache.CacheStats;

/**
 * The block engine's figures.
 *
 * @param durableGen     generation of the last completed sync
 * @param syncs          syncs completed since open
 * @param syncNanos      time spent in them
 * @param lastSyncNanos  duration of the last one
 * @param blocksWritten  blocks the syncers wrote
 * @param retiredWaiting freed blocks waiting for readers that can still see them
 * @param pins           snapshots held by open transactions and streams
 * @param oldestPinNanos how long the oldest of them has been held (0: none)
 * @param cache          the block cache's figures
 * @param arenaUsed      bytes in use per arena
 * @param arenaFree      bytes allocatable per arena
 * @param arenaLogBlocks blocks in each arena's allocation log
 * @param logChainings   times since open a full log block chained to a new one
 * @param logCompressions times since open a log was rewritten as its free ranges
 * @param readOnly       a write or force failed
 * @param rolledBackGeneration the newest sync the mount passed over because
 *                       a block of it did not verify (its commits may have
 *                       been acknowledged), or -1 when it passed over none
 * @param rolledBackAddress the block that failed then, or -1
 */
public record BlockStoreStats(long durableGen, long syncs, long syncNanos, long lastSyncNanos, long blocksWritten,
                              long retiredWaiting, int pins, long oldestPinNanos, CacheStats cache, long[] arenaUsed, long[] arenaFree,
                              int[] arenaLogBlocks, long logChainings, long logCompressions, boolean readOnly,
                              long rolledBackGeneration, long rolledBackAddress) {

    /** The figures of {@code bs} now; each arena's under its lock, so each arena's are consistent. */
    static BlockStoreStats of(BlockStore bs) {
        Arena[] arenas = bs.arenas;
        long[] used = new long[arenas.length];
        long[] free = new long[arenas.length];
        int[] logBlocks = new int[arenas.length];
        long chainings = 0;
        long compressions = 0;
        for (int i = 0; i < arenas.length; i++) {
            Arena a = arenas[i];
            a.lock.lock();
            try {
                used[i] = a.used();
                free[i] = a.freeBytes();
                logBlocks[i] = a.logBlocks();
                chainings += a.chainings();
                compressions += a.compressions();
            } finally {
                a.lock.unlock();
            }
        }
        var passedOver = bs.passedOver;
        return new BlockStoreStats(bs.durable.syncGen(), bs.syncCount.get(), bs.syncNanos.get(), bs.lastSyncNanos.get(),
                bs.syncers.blocksWritten(), bs.epochs.retiredWaiting(), bs.epochs.pinCount(), bs.epochs.oldestPinNanos(),
                bs.cache.stats(), used, free, logBlocks,
                chainings, compressions, bs.file.isReadOnly(),
                passedOver == null ? -1 : passedOver.generation(), passedOver == null ? -1 : passedOver.address());
    }
}
