package dev.cairn.ra;

import dev.cairn.engine.BlockStoreStats;
import dev.cairn.engine.Store;
import java.util.LinkedHashMap;
import java.util.Map;

/** A store's figures by name, in a stable order: what statistics(), the HTTP API and the metrics show. */
final class StoreFigures {

    private StoreFigures() {
    }

    static Map<String, Long> of(Store store) {
        Map<String, Long> m = new LinkedHashMap<>(store.stats().asMap());
        BlockStoreStats b = store.blockStats();
        m.put("generation", b.durableGen());
        m.put("syncNanosTotal", b.syncNanos());
        m.put("lastSyncNanos", b.lastSyncNanos());
        m.put("blocksWritten", b.blocksWritten());
        m.put("openReaders", (long) b.pins());
        m.put("oldestReaderSeconds", b.oldestPinNanos() / 1_000_000_000L);
        m.put("blocksAwaitingReaders", b.retiredWaiting());
        m.put("cacheCapacityBlocks", (long) b.cache().capacity());
        m.put("cacheDirtyBlocks", (long) b.cache().dirty());
        m.put("cacheEvictions", b.cache().evictions());
        m.put("cacheStalls", b.cache().stalls());
        long logBlocks = 0;
        for (int n : b.arenaLogBlocks()) {
            logBlocks += n;
        }
        m.put("logBlocks", logBlocks);
        m.put("logChainings", b.logChainings());
        m.put("logCompressions", b.logCompressions());
        m.put("rolledBack", b.rolledBackGeneration() >= 0 ? 1L : 0L);
        m.put("rolledBackGeneration", b.rolledBackGeneration());
        m.put("rolledBackAddress", b.rolledBackAddress());
        m.put("arenas", (long) b.arenaUsed().length);
        for (int i = 0; i < b.arenaUsed().length; i++) {
            m.put("arena" + i + "UsedBytes", b.arenaUsed()[i]);
            m.put("arena" + i + "FreeBytes", b.arenaFree()[i]);
        }
        return m;
    }
}
