package dev.cairn.engine.blocks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.engine.BlockStore;
import dev.cairn.engine.BlockStoreStats;
import dev.cairn.engine.StoreConfig;
import dev.cairn.api.StoreFullException;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.cache.CachedBlock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AllocationLogTest {

    @TempDir
    Path dir;

    private static final StoreConfig SMALL = StoreConfig.defaults().sizeBytes(4L << 20).arenas(1).cacheBytes(1 << 20);

    @Test
    void theLogChainsWhenFullCompressesWhenAskedAndReplaysToTheSameState() {
        Path file = dir.resolve("s.cairn");
        Workload w;
        long gen;
        int grown;
        try (BlockStore s = BlockStore.create(file, SMALL)) {
            w = new Workload(s, 7, 60).churn(30);
            gen = 0;
            // ~70 entries a sync; a log block holds about 2000.
            int steps = 0;
            while (s.stats().arenaLogBlocks()[0] < 3 && steps++ < 400) {
                gen = w.step();
            }
            grown = s.stats().arenaLogBlocks()[0];
            assertTrue(grown >= 3, "the log chained into " + grown + " blocks");
            // gefs's rule: compress once the log has doubled since the last compression.
            steps = 0;
            int before = grown;
            while (s.stats().arenaLogBlocks()[0] >= before && steps++ < 400) {
                before = s.stats().arenaLogBlocks()[0];
                gen = w.step();
            }
            assertTrue(s.stats().arenaLogBlocks()[0] < before, "the log compressed by itself at " + before + " blocks");
            while (s.stats().arenaLogBlocks()[0] < 2) {
                gen = w.step();
            }
            grown = s.stats().arenaLogBlocks()[0];
            s.compressLogs();
            gen = w.step();
            int compressed = s.stats().arenaLogBlocks()[0];
            assertTrue(compressed < grown, "compression on request shrank the log from " + grown + " to " + compressed);
            assertTrue(s.check(Workload.WALKER).ok(), () -> s.check(Workload.WALKER).toString());
            for (int i = 0; i < 20; i++) {
                gen = w.step();
            }
        }
        try (BlockStore s = BlockStore.open(file, SMALL)) {
            assertEquals(gen, s.durableGen());
            Workload.assertHolds(s, w.states.get(gen));
            assertTrue(s.check(Workload.WALKER).ok(), () -> s.check(Workload.WALKER).toString());
        }
    }

    @Test
    void aFullStoreSaysSoAndStillFreesAndSyncs() {
        Path file = dir.resolve("full.cairn");
        try (BlockStore s = BlockStore.create(file, StoreConfig.defaults().sizeBytes(1L << 20).arenas(1))) {
            List<Bptr> blocks = new ArrayList<>();
            StoreFullException full = null;
            for (int i = 0; i < 100 && full == null; i++) {
                try (CachedBlock b = s.newBlock(BlockFormat.TYPE_DATA, 0)) {
                    Workload.fill(b.data(), i);
                    blocks.add(s.write(b));
                } catch (StoreFullException e) {
                    full = e;
                }
            }
            assertTrue(full != null && full.getMessage().contains("full"), "store full reported: " + full);
            long before = s.durableGen();
            s.sync(List.of());
            // The reserve lets the log record frees on a full store.
            blocks.forEach(s::free);
            s.sync(List.of());
            s.sync(List.of());
            assertEquals(before + 3, s.durableGen());
            BlockStoreStats st = s.stats();
            try (CachedBlock b = s.newBlock(BlockFormat.TYPE_DATA, 0)) {
                Workload.fill(b.data(), 1);
                s.write(b);
            }
            assertTrue(st.arenaFree()[0] > 0, "space came back");
        }
    }

    @Test
    void reopeningRestoresUsedSpaceExactly() {
        Path file = dir.resolve("s.cairn");
        long[] used;
        try (BlockStore s = BlockStore.create(file, SMALL)) {
            Workload w = new Workload(s, 3, 30);
            for (int i = 0; i < 30; i++) {
                w.step();
            }
            s.sync(s.roots());
            s.sync(s.roots()); // releases everything the earlier syncs freed
            used = s.stats().arenaUsed();
        }
        try (BlockStore s = BlockStore.open(file, SMALL)) {
            assertArrayEquals(used, s.stats().arenaUsed());
        }
    }
}
