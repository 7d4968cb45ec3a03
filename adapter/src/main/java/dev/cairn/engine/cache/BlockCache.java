package dev.cairn.engine.cache;

import dev.cairn.engine.block.BlockFormat;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The block cache, after venti's dcache (seed 004) with gefs's rules: a fixed
 * memory budget, lookup by address, LRU-2 eviction over blocks nobody holds,
 * dirty and queued blocks never evicted, freed blocks reused first, and a
 * caller that finds every block held waits (back-pressure) instead of growing
 * memory. Buffers are allocated as needed up to the budget and then reused,
 * so memory never exceeds {@code capacity} blocks whatever the store's size.
 *
 * <p>Locking: {@code lock} (this object's monitor) guards the map, the heap,
 * the counters and every block's bookkeeping. Reads from disk happen outside
 * it, under one of {@code stripes} chosen by address, so two readers of one
 * address read the disk once and readers of different addresses proceed in
 * parallel. Order: stripe, then {@code lock}; never the reverse.
 */
public final class BlockCache {

    /** Loads a block's bytes from disk and verifies them, or throws. */
    @FunctionalInterface
    public interface Loader {
        void load(long addr, byte[] into);
    }

    private final int capacity;
    private final Map<Long, CachedBlock> map = new HashMap<>();
    private final EvictionHeap evictable = new EvictionHeap();
    private final ReentrantLock[] stripes = new ReentrantLock[64];
    private int allocated;
    private long tick;
    private long hits;
    private long misses;
    private long evictions;
    private long stalls;

    /** @param capacityBytes memory for block buffers; at least 8 blocks */
    public BlockCache(long capacityBytes) {
        this.capacity = (int) Math.max(8, Math.min(Integer.MAX_VALUE, capacityBytes / BlockFormat.BLOCK_SIZE));
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /**
     * The block at {@code addr}, from memory or through {@code loader}; held
     * until the caller closes it.
     */
    public CachedBlock get(long addr, Loader loader) {
        ReentrantLock stripe = stripes[(int) (Long.hashCode(addr / BlockFormat.BLOCK_SIZE) & (stripes.length - 1))];
        stripe.lock();
        try {
            synchronized (this) {
                CachedBlock b = map.get(addr);
                if (b != null) {
                    hits++;
                    hold(b);
                    return b;
                }
                misses++;
            }
            CachedBlock b = obtain();
            try {
                loader.load(addr, b.buf);
            } catch (RuntimeException e) {
                synchronized (this) {
                    b.used1 = b.used2 = -1;
                    release(b);
                }
                throw e;
            }
            synchronized (this) {
                b.addr = addr;
                map.put(addr, b);
                return b;
            }
        } finally {
            stripe.unlock();
        }
    }

    /**
     * A zeroed, dirty, held block for a newly allocated address.
     *
     * @throws IllegalStateException when the address is cached: a double allocation
     */
    public CachedBlock create(long addr) {
        synchronized (this) {
            if (map.containsKey(addr)) {
                throw new IllegalStateException(String.format("double allocation: block 0x%x is in use", addr));
            }
        }
        CachedBlock b = obtain();
        java.util.Arrays.fill(b.buf, (byte) 0);
        synchronized (this) {
            if (map.containsKey(addr)) {
                b.used1 = b.used2 = -1;
                release(b);
                throw new IllegalStateException(String.format("double allocation: block 0x%x is in use", addr));
            }
            b.addr = addr;
            b.dirty = true;
            map.put(addr, b);
            return b;
        }
    }

    /** Marks a held block queued for writing; the queue takes a reference. */
    public synchronized void queued(CachedBlock b) {
        b.queued = true;
        b.ref++;
    }

    /** Called by a syncer once the block is on disk (or its write was dropped). */
    public synchronized void written(CachedBlock b) {
        b.queued = false;
        b.dirty = false;
        release(b);
    }

    /**
     * Forgets a freed address: the block, if cached, is never returned for it
     * again and its buffer goes to the bottom of the LRU to be reused first.
     */
    public synchronized void forget(long addr) {
        CachedBlock b = map.remove(addr);
        if (b != null) {
            b.freed = true;
            b.used1 = b.used2 = -1;
            evictable.update(b);
        }
    }

    /**
     * Drops a block that was allocated, never queued for writing, and is now
     * freed: nothing will write it or read it, so it must not stay dirty in
     * memory for good.
     */
    public synchronized void discardUnwritten(long addr) {
        CachedBlock b = map.get(addr);
        if (b != null && b.dirty && !b.queued) {
            map.remove(addr);
            b.dirty = false;
            b.freed = true;
            b.used1 = b.used2 = -1;
            if (b.ref == 0) {
                evictable.add(b);
                notifyAll();
            }
        }
    }

    /** Drops a reference (CachedBlock.close). */
    synchronized void release(CachedBlock b) {
        if (b.ref <= 0) {
            throw new IllegalStateException(String.format("block 0x%x released more often than held", b.addr));
        }
        b.ref--;
        if (b.ref == 0 && !b.dirty && !b.queued) {
            evictable.add(b);
            notifyAll();
        }
    }

    private void hold(CachedBlock b) {
        if (b.ref++ == 0) {
            evictable.remove(b);
        }
        b.used2 = b.used1;
        b.used1 = ++tick;
    }

    /** A buffer to fill: a new one while under budget, else the best to evict; waits when all are held. */
    private synchronized CachedBlock obtain() {
        boolean interrupted = false;
        try {
            while (true) {
                if (allocated < capacity) {
                    allocated++;
                    CachedBlock b = new CachedBlock(this);
                    b.ref = 1;
                    b.used1 = ++tick;
                    b.used2 = 0;
                    return b;
                }
                CachedBlock victim = evictable.poll();
                if (victim != null) {
                    if (victim.addr != -1 && map.get(victim.addr) == victim) {
                        map.remove(victim.addr);
                        evictions++;
                    }
                    victim.addr = -1;
                    victim.freed = false;
                    victim.ref = 1;
                    victim.used1 = ++tick;
                    victim.used2 = 0;
                    return victim;
                }
                stalls++;
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public synchronized CacheStats stats() {
        int dirty = 0;
        for (CachedBlock b : map.values()) {
            if (b.dirty) {
                dirty++;
            }
        }
        return new CacheStats(capacity, allocated, map.size(), dirty, hits, misses, evictions, stalls);
    }

    public int capacity() {
        return capacity;
    }
}
