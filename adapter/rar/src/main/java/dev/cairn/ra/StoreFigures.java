package dev.cairn.ra;

import dev.cairn.api.Figures;
import dev.cairn.engine.BlockStoreStats;
import dev.cairn.engine.Standby;
import dev.cairn.engine.Store;
import dev.cairn.engine.StoreStats;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A store's figures by name ({@link Figures}), in a stable order: what
 * statistics(), the history, the HTTP API, the metrics and the rolled-back
 * notification show.
 */
final class StoreFigures {

    private StoreFigures() {
    }

    /** The store's own figures. */
    static Map<String, Long> of(Store store) {
        Map<String, Long> m = new LinkedHashMap<>();
        StoreStats s = store.stats();
        m.put(Figures.KEYS, s.keys());
        m.put(Figures.COMMITS, s.commits());
        m.put(Figures.SYNCS, s.syncs());
        m.put(Figures.CONFLICTS, s.conflicts());
        m.put(Figures.PREPARED, s.prepared());
        m.put(Figures.SNAPSHOTS, s.snapshots());
        m.put(Figures.USED_BYTES, s.usedBytes());
        m.put(Figures.FREE_BYTES, s.freeBytes());
        m.put(Figures.CACHE_HITS, s.cacheHits());
        m.put(Figures.CACHE_MISSES, s.cacheMisses());
        m.put(Figures.READ_ONLY, s.readOnly() ? 1L : 0L);
        BlockStoreStats b = store.blockStats();
        m.put(Figures.GENERATION, b.durableGen());
        m.put(Figures.SYNC_NANOS_TOTAL, b.syncNanos());
        m.put(Figures.LAST_SYNC_NANOS, b.lastSyncNanos());
        m.put(Figures.BLOCKS_WRITTEN, b.blocksWritten());
        m.put(Figures.OPEN_READERS, (long) b.pins());
        m.put(Figures.OLDEST_READER_SECONDS, b.oldestPinNanos() / 1_000_000_000L);
        m.put(Figures.BLOCKS_AWAITING_READERS, b.retiredWaiting());
        m.put(Figures.CACHE_CAPACITY_BLOCKS, (long) b.cache().capacity());
        m.put(Figures.CACHE_DIRTY_BLOCKS, (long) b.cache().dirty());
        m.put(Figures.CACHE_EVICTIONS, b.cache().evictions());
        m.put(Figures.CACHE_STALLS, b.cache().stalls());
        long logBlocks = 0;
        for (int n : b.arenaLogBlocks()) {
            logBlocks += n;
        }
        m.put(Figures.LOG_BLOCKS, logBlocks);
        m.put(Figures.LOG_CHAININGS, b.logChainings());
        m.put(Figures.LOG_COMPRESSIONS, b.logCompressions());
        m.put(Figures.ROLLED_BACK, b.rolledBackGeneration() >= 0 ? 1L : 0L);
        m.putAll(rolledBack(b));
        Standby standby = store.standby();
        boolean following = standby.primary() != null;
        m.put(Figures.STANDBY, following ? 1L : 0L);
        m.put(Figures.STANDBY_LAG_SECONDS, following ? standby.lagSeconds(System.currentTimeMillis()) : -1L);
        m.put(Figures.STANDBY_RECEIVES, standby.receives());
        m.put(Figures.STANDBY_FAILURES, standby.failures());
        m.put(Figures.ARENAS, (long) b.arenaUsed().length);
        for (int i = 0; i < b.arenaUsed().length; i++) {
            m.put(Figures.arenaUsedBytes(i), b.arenaUsed()[i]);
            m.put(Figures.arenaFreeBytes(i), b.arenaFree()[i]);
        }
        return m;
    }

    /** The store's figures and the adapter's transaction counters. */
    static Map<String, Long> of(Store store, TransactionCounters c) {
        Map<String, Long> m = of(store);
        m.put(Figures.LOCAL_BEGUN, c.begun.get());
        m.put(Figures.LOCAL_COMMITTED, c.committed.get());
        m.put(Figures.LOCAL_ROLLED_BACK, c.rolledBack.get());
        m.put(Figures.LOCAL_FAILED, c.failed.get());
        m.put(Figures.XA_PREPARED, c.xaPrepared.get());
        m.put(Figures.XA_READ_ONLY, c.xaReadOnly.get());
        m.put(Figures.XA_COMMITTED, c.xaCommitted.get());
        m.put(Figures.XA_ROLLED_BACK, c.xaRolledBack.get());
        m.put(Figures.XA_FAILED, c.xaFailed.get());
        return m;
    }

    /** What a mount that passed over the newest sync left: the generation passed over, the block that failed. */
    static Map<String, Long> rolledBack(BlockStoreStats b) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put(Figures.ROLLED_BACK_GENERATION, b.rolledBackGeneration());
        m.put(Figures.ROLLED_BACK_ADDRESS, b.rolledBackAddress());
        return m;
    }
}
