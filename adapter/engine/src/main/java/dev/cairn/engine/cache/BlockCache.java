package dev.cairn.engine.cache;

import dev.cairn.engine.block.BlockFormat;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The block cache, after venti's dcache (seed 004) with gefs's rules: a fixed
 * memory budget, lookup by address, LRU-2 eviction over blocks nobody holds,
 * dirty and queued blocks never evicted, freed blocks reused first, and a
 * caller that finds every block held waits (back-pressure) instead of growing
 * memory. Buffers are allocated as needed up to the budget and then reused,
 * so memory never exceeds the budget whatever the store's size.
 *
 * <p>The cache is split by address into {@link CacheSegment}s, each with its
 * own lock, heap and share of the budget, so readers of different blocks do
 * not contend; LRU-2 order holds within a segment. A hit takes one segment
 * lock. A miss reads the disk under one of {@code stripes}, chosen by
 * address, so two readers of one address read the disk once.
 *
 * <p>Lock order: stripe, then segment; never the reverse.
 */
public final class BlockCache {

    /** Loads a block's bytes from disk and verifies them, or throws. */
    @FunctionalInterface
    public interface Loader {
        void load(long addr, byte[] into);
    }

    private static final int MIN_SEGMENT_BLOCKS = 8;

    /**
     * Memory each cached block may carry beside its buffer in what readers
     * derive from it ({@link CachedBlock#derived}): the budget pays for it,
     * so a cache of N bytes holds N / {@link #BYTES_PER_BLOCK} blocks.
     */
    public static final int DERIVED_BYTES = 640;
    public static final int BYTES_PER_BLOCK = BlockFormat.BLOCK_SIZE + DERIVED_BYTES;

    private final CacheSegment[] segments;
    private final ReentrantLock[] stripes = new ReentrantLock[64];
    private final int capacity;

    /** @param capacityBytes memory for cached blocks (see {@link #BYTES_PER_BLOCK}); at least 8 blocks */
    public BlockCache(long capacityBytes) {
        int blocks = (int) Math.max(MIN_SEGMENT_BLOCKS, Math.min(Integer.MAX_VALUE, capacityBytes / BYTES_PER_BLOCK));
        int n = 1;
        while (n < 16 && blocks / (n * 2) >= 64) {
            n *= 2;
        }
        segments = new CacheSegment[n];
        for (int i = 0; i < n; i++) {
            segments[i] = new CacheSegment(blocks / n + (i < blocks % n ? 1 : 0));
        }
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock();
        }
        this.capacity = blocks;
    }

    private static int mix(long addr) {
        long x = addr / BlockFormat.BLOCK_SIZE * 0x9E3779B97F4A7C15L;
        return (int) (x >>> 40);
    }

    private CacheSegment segment(long addr) {
        return segments[mix(addr) & (segments.length - 1)];
    }

    /**
     * The block at {@code addr}, from memory or through {@code loader}; held
     * until the caller closes it.
     */
    public CachedBlock get(long addr, Loader loader) {
        CacheSegment seg = segment(addr);
        CachedBlock b = seg.hit(addr);
        if (b != null) {
            return b;
        }
        ReentrantLock stripe = stripes[(mix(addr) >>> 8) & (stripes.length - 1)];
        stripe.lock();
        try {
            b = seg.recheck(addr);
            return b != null ? b : seg.load(addr, loader);
        } finally {
            stripe.unlock();
        }
    }

    /**
     * The block at {@code addr} if it is cached, held until the caller closes
     * it; null when it is not (counted as a miss: the caller reads the disk).
     * A block absent from the cache is on disk: dirty and queued blocks are
     * never evicted.
     */
    public CachedBlock ifCached(long addr) {
        return segment(addr).hit(addr);
    }

    /** Whether {@code addr} is cached now (it may not be a moment later). */
    public boolean contains(long addr) {
        return segment(addr).contains(addr);
    }

    /**
     * A zeroed, dirty, held block for a newly allocated address.
     *
     * @throws IllegalStateException when the address is cached: a double allocation
     */
    public CachedBlock create(long addr) {
        return create(addr, true);
    }

    /**
     * Like {@link #create(long)}; when not {@code zeroed}, the block holds
     * whatever its recycled buffer held, for a caller that sets every byte.
     */
    public CachedBlock create(long addr, boolean zeroed) {
        return segment(addr).create(addr, zeroed);
    }

    /** Marks a held block queued for writing; the queue takes a reference. */
    public void queued(CachedBlock b) {
        b.segment.queued(b);
    }

    /** Called by a syncer once the block is on disk (or its write was dropped). */
    public void written(CachedBlock b) {
        b.segment.written(b);
    }

    /**
     * Forgets a freed address: the block, if cached, is never returned for it
     * again and its buffer goes to the bottom of the LRU to be reused first.
     */
    public void forget(long addr) {
        segment(addr).forget(addr);
    }

    /**
     * Drops a block that was allocated, never queued for writing, and is now
     * freed: nothing will write it or read it, so it must not stay dirty in
     * memory for good.
     */
    public void discardUnwritten(long addr) {
        segment(addr).discardUnwritten(addr);
    }

    public CacheStats stats() {
        int buffers = 0;
        int cached = 0;
        int dirty = 0;
        long hits = 0;
        long misses = 0;
        long evictions = 0;
        long stalls = 0;
        for (CacheSegment s : segments) {
            CacheStats st = s.stats();
            buffers += st.buffers();
            cached += st.cached();
            dirty += st.dirty();
            hits += st.hits();
            misses += st.misses();
            evictions += st.evictions();
            stalls += st.stalls();
        }
        return new CacheStats(capacity, buffers, cached, dirty, hits, misses, evictions, stalls);
    }

    public int capacity() {
        return capacity;
    }
}
