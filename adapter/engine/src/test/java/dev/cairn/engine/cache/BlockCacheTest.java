package dev.cairn.engine.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.engine.block.BlockFormat;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BlockCacheTest {

    private static final int B = BlockFormat.BLOCK_SIZE;

    /** A loader that stamps the address into the block and counts disk reads per address. */
    private static final class Disk implements BlockCache.Loader {
        final Map<Long, AtomicInteger> reads = new ConcurrentHashMap<>();

        @Override
        public void load(long addr, byte[] into) {
            reads.computeIfAbsent(addr, a -> new AtomicInteger()).incrementAndGet();
            ByteBuffer.wrap(into).putLong(0, addr);
        }

        int reads(long addr) {
            AtomicInteger n = reads.get(addr);
            return n == null ? 0 : n.get();
        }
    }

    private static void touch(BlockCache c, Disk d, long addr) {
        try (CachedBlock b = c.get(addr, d)) {
            assertEquals(addr, ByteBuffer.wrap(b.data()).getLong(0));
        }
    }

    @Test
    void memoryStaysWithinTheBudgetHoweverManyBlocksPassThrough() {
        BlockCache c = new BlockCache(16L * BlockCache.BYTES_PER_BLOCK);
        Disk d = new Disk();
        for (long a = 0; a < 1000; a++) {
            touch(c, d, a * B);
        }
        CacheStats st = c.stats();
        assertEquals(16, st.buffers());
        assertTrue(st.cached() <= 16);
        assertEquals(1000 - 16, st.evictions());
        assertEquals(1000, st.misses());
    }

    @Test
    void lru2KeepsBlocksUsedTwiceOverBlocksUsedOnce() {
        BlockCache c = new BlockCache(8L * BlockCache.BYTES_PER_BLOCK);
        Disk d = new Disk();
        for (long a = 0; a < 4; a++) {
            touch(c, d, a * B);
            touch(c, d, a * B); // used twice: hot
        }
        for (long a = 100; a < 200; a++) {
            touch(c, d, a * B); // a scan of blocks used once
        }
        for (long a = 0; a < 4; a++) {
            touch(c, d, a * B);
            assertEquals(1, d.reads(a * B), "hot block " + a + " survived the scan");
        }
    }

    @Test
    void dirtyAndQueuedBlocksAreNeverEvictedAndAFullCacheMakesCallersWait() throws Exception {
        BlockCache c = new BlockCache(8L * BlockCache.BYTES_PER_BLOCK);
        Disk d = new Disk();
        List<CachedBlock> dirty = new ArrayList<>();
        for (long a = 0; a < 8; a++) {
            CachedBlock b = c.create(a * B);
            c.queued(b);
            b.close(); // only the queue holds it now; still dirty and queued
            dirty.add(b);
        }
        assertEquals(8, c.stats().dirty());
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Future<?> reader = pool.submit(() -> touch(c, d, 999L * B));
        Thread.sleep(200);
        assertFalse(reader.isDone(), "the reader waits: every block is dirty or queued");
        assertTrue(c.stats().stalls() > 0);
        c.written(dirty.get(3)); // a syncer wrote one
        reader.get(10, TimeUnit.SECONDS);
        pool.shutdown();
        for (CachedBlock b : dirty) {
            if (b != dirty.get(3)) {
                assertEquals(b, c.get(b.addr(), (a, buf) -> {
                    throw new AssertionError("dirty block " + a + " was evicted");
                }));
                b.close();
            }
        }
    }

    @Test
    void concurrentReadersOfOneAddressReadTheDiskOnce() throws Exception {
        BlockCache c = new BlockCache(64L * BlockCache.BYTES_PER_BLOCK);
        CountDownLatch inLoad = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger loads = new AtomicInteger();
        BlockCache.Loader slow = (addr, buf) -> {
            loads.incrementAndGet();
            inLoad.countDown();
            try {
                go.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> readers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            readers.add(pool.submit(() -> c.get(7L * B, slow).close()));
        }
        assertTrue(inLoad.await(5, TimeUnit.SECONDS));
        Thread.sleep(100);
        go.countDown();
        for (Future<?> f : readers) {
            f.get(5, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(1, loads.get());
        assertEquals(3, c.stats().hits());
    }

    @Test
    void aFreedBlockIsReusedFirstAndNeverReturnedForItsOldAddress() {
        BlockCache c = new BlockCache(8L * BlockCache.BYTES_PER_BLOCK);
        Disk d = new Disk();
        for (long a = 0; a < 8; a++) { // every buffer in use, every block hot
            touch(c, d, a * B);
            touch(c, d, a * B);
        }
        touch(c, d, 50L * B); // evicts block 0, and the heap sorts the others under their use times
        touch(c, d, 50L * B);
        c.forget(2L * B);
        touch(c, d, 60L * B); // takes the freed block's buffer, not a hot one
        for (long a : new long[] {1, 3, 4, 5, 6, 7, 50}) {
            touch(c, d, a * B);
            assertEquals(1, d.reads(a * B), "hot block " + a + " was evicted");
        }
        touch(c, d, 2L * B);
        assertEquals(2, d.reads(2L * B), "a freed address is read again, not served from memory");
    }

    /**
     * A tree node's search index is kept with its block; a buffer reused for
     * another block must not carry it, or a lookup would search the new
     * bytes with the old block's index.
     */
    @Test
    void whatReadersDeriveFromABlockGoesWithItsBytes() {
        BlockCache c = new BlockCache(8L * BlockCache.BYTES_PER_BLOCK);
        Disk d = new Disk();
        try (CachedBlock b = c.get(0, d)) {
            b.derive("index of block 0");
        }
        try (CachedBlock b = c.get(0, d)) {
            assertEquals("index of block 0", b.derived(), "kept while the block stays cached");
        }
        for (long a = 1; a < 100; a++) {
            touch(c, d, a * B); // twice, so that under LRU-2 block 0 goes as well
            touch(c, d, a * B); // and every buffer, block 0's among them, holds another block
        }
        for (long a = 92; a < 100; a++) {
            try (CachedBlock b = c.get(a * B, d)) {
                assertEquals(1, d.reads(a * B), "still cached");
                assertNull(b.derived(), "block " + a + " carries what was derived from another block");
            }
        }
        try (CachedBlock b = c.get(0, d)) {
            assertEquals(2, d.reads(0));
            assertNull(b.derived());
        }
    }

    /**
     * A block held again stays in the eviction heap (it is sorted out only
     * when it comes to the top): it must then be passed over, never handed
     * out for another block under its holder.
     */
    @Test
    void aBlockHeldAgainIsNeverEvictedFromUnderItsHolder() {
        BlockCache c = new BlockCache(8L * BlockCache.BYTES_PER_BLOCK);
        Disk d = new Disk();
        for (long a = 0; a < 8; a++) {
            touch(c, d, a * B); // every buffer in use; block 0 the least recently used
        }
        try (CachedBlock held = c.get(0, d)) {
            for (long a = 100; a < 120; a++) {
                touch(c, d, a * B); // twice: hotter than block 0, which so comes to the top
                touch(c, d, a * B);
            }
            assertEquals(0, ByteBuffer.wrap(held.data()).getLong(0), "the held block's buffer was reused");
            assertEquals(1, d.reads(0));
        }
        try (CachedBlock again = c.get(0, d)) {
            assertEquals(1, d.reads(0), "still cached once released");
        }
    }

    @Test
    void allocatingACachedAddressIsADoubleAllocation() {
        BlockCache c = new BlockCache(8L * BlockCache.BYTES_PER_BLOCK);
        c.create(5L * B).close();
        assertThrows(IllegalStateException.class, () -> c.create(5L * B));
    }
}
