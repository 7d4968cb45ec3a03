package dev.cairn.engine.blocks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.engine.BlockStore;
import dev.cairn.engine.StoreConfig;
import dev.cairn.api.StoreFullException;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.block.ReferenceWalker;
import dev.cairn.engine.cache.CachedBlock;
import dev.cairn.engine.check.CheckReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers allocate, write and free; readers read blocks others are freeing;
 * a syncer thread syncs all the while. No address is ever handed out twice
 * at once, and no reader ever sees a block's bytes change under its pointer
 * (every read is hash-verified and its bytes compared with the seed that
 * made them). A small cache keeps eviction and re-reading from disk busy.
 */
class ConcurrencyTest {

    @TempDir
    Path dir;

    /**
     * A new block; when every free one is still waiting for the sync that
     * makes its free durable (the syncer thread lags on a loaded machine, and
     * readers' epochs hold blocks back meanwhile), syncs and asks again, as
     * a committer's own sync would make room. The store is small on purpose:
     * addresses must be reused for the double-allocation check to mean
     * anything.
     */
    private static CachedBlock newBlock(BlockStore s, int hint) {
        for (int attempt = 1; ; attempt++) {
            try {
                return s.newBlock(BlockFormat.TYPE_DATA, hint);
            } catch (StoreFullException e) {
                if (attempt == 50) {
                    throw e;
                }
                s.epochs().exit(); // a reader of this thread's own epoch must not hold back what the sync frees
                try {
                    s.sync(List.of());
                } finally {
                    s.epochs().enter();
                }
            }
        }
    }

    @Test
    void allocatorsFreersReadersAndSyncsTogether() throws Exception {
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(32L << 20).arenas(4).syncers(2).cacheBytes(64 * 16384);
        Map<Long, String> owner = new ConcurrentHashMap<>();
        Map<Bptr, Long> published = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        int writers = 3;
        int readers = 2;
        try (BlockStore s = BlockStore.create(dir.resolve("s.cairn"), cfg)) {
            ExecutorService pool = Executors.newFixedThreadPool(writers + readers + 1);
            List<Future<?>> jobs = new ArrayList<>();
            for (int t = 0; t < writers; t++) {
                int id = t;
                jobs.add(pool.submit(() -> {
                    Random rnd = new Random(id);
                    List<Bptr> mine = new ArrayList<>();
                    for (int i = 0; i < 1500; i++) {
                        s.epochs().enter();
                        try {
                            long seed = rnd.nextLong();
                            Bptr bp;
                            try (CachedBlock b = newBlock(s, id)) {
                                String was = owner.putIfAbsent(b.addr(), "writer " + id + " #" + i);
                                assertNull(was, "double allocation of " + b.addr() + ", held by " + was);
                                Workload.fill(b.data(), seed);
                                bp = s.write(b);
                            }
                            published.put(bp, seed);
                            mine.add(bp);
                            if (mine.size() > 30 || rnd.nextInt(4) == 0 && !mine.isEmpty()) {
                                Bptr victim = mine.remove(rnd.nextInt(mine.size()));
                                published.remove(victim);
                                owner.remove(victim.addr());
                                s.free(victim);
                            }
                        } finally {
                            s.epochs().exit();
                        }
                    }
                    return null;
                }));
            }
            for (int t = 0; t < readers; t++) {
                jobs.add(pool.submit(() -> {
                    byte[] expect = new byte[BlockFormat.BLOCK_SIZE];
                    while (!stop.get()) {
                        s.epochs().enter();
                        try {
                            for (Map.Entry<Bptr, Long> e : published.entrySet()) {
                                try (CachedBlock b = s.read(e.getKey())) {
                                    Workload.fill(expect, e.getValue());
                                    assertArrayEquals(expect, b.data(), "bytes under " + e.getKey());
                                }
                                reads.incrementAndGet();
                            }
                        } finally {
                            s.epochs().exit();
                        }
                    }
                    return null;
                }));
            }
            Future<?> syncer = pool.submit(() -> {
                while (!stop.get()) {
                    s.sync(List.of());
                }
                return null;
            });
            for (int i = 0; i < writers; i++) {
                jobs.get(i).get();
            }
            stop.set(true);
            for (Future<?> f : jobs) {
                f.get();
            }
            syncer.get();
            pool.shutdown();
            assertTrue(reads.get() > 1000, "readers read " + reads.get() + " blocks");
            assertTrue(s.stats().cache().evictions() > 0, "the cache evicted: " + s.stats().cache());

            // Free what is left; after two syncs nothing may be allocated but the logs.
            published.keySet().forEach(s::free);
            s.sync(List.of());
            s.sync(List.of());
            CheckReport r = s.check(ReferenceWalker.ROOTS_ONLY);
            assertTrue(r.ok(), r.toString());
            assertEquals(0, r.leakedBlocks());
        }
    }
}
