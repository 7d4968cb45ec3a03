package dev.cairn.engine.cache;

import java.util.Arrays;

/**
 * One partition of the {@link BlockCache}: the addresses whose hash falls to
 * it, {@code capacity} blocks of the budget, its own LRU-2 heap. Buffers are
 * allocated as needed up to the capacity and then reused; a caller that finds
 * every buffer held, dirty or queued waits for one.
 *
 * <p>Locking: this object's monitor guards the address index, the heap, the counters
 * and the bookkeeping of every block in the segment; disk reads happen
 * outside it.
 */
final class CacheSegment {

    private final int capacity;
    private final AddressIndex index;
    private final EvictionHeap evictable = new EvictionHeap();
    private int allocated;
    private long tick;
    private long hits;
    private long misses;
    private long evictions;
    private long stalls;
    /** Threads in {@link #obtain} waiting for a block to become evictable; notified only when there are some. */
    private int waiting;

    CacheSegment(int capacity) {
        this.capacity = capacity;
        this.index = new AddressIndex(capacity);
    }

    /** The cached block at {@code addr}, held, or null (a miss, counted). */
    synchronized CachedBlock hit(long addr) {
        CachedBlock b = index.get(addr);
        if (b != null) {
            hits++;
            hold(b);
            return b;
        }
        misses++;
        return null;
    }

    /** Whether the address is cached, without holding it or counting a lookup. */
    synchronized boolean contains(long addr) {
        return index.get(addr) != null;
    }

    /**
     * The re-check under the address's stripe: another reader may have loaded
     * the block meanwhile, and then this lookup read no disk after all.
     */
    synchronized CachedBlock recheck(long addr) {
        CachedBlock b = index.get(addr);
        if (b != null) {
            hold(b);
            misses--;
            hits++;
        }
        return b;
    }

    /** Fills a buffer through {@code loader} (outside this segment's lock) and caches it. */
    CachedBlock load(long addr, BlockCache.Loader loader) {
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
            index.put(b);
            return b;
        }
    }

    /**
     * A dirty, held block for a newly allocated address; zeroed, or holding
     * whatever its recycled buffer held.
     *
     * @throws IllegalStateException when the address is cached: a double allocation
     */
    CachedBlock create(long addr, boolean zeroed) {
        synchronized (this) {
            if (index.get(addr) != null) {
                throw new IllegalStateException(String.format("double allocation: block 0x%x is in use", addr));
            }
        }
        CachedBlock b = obtain();
        if (zeroed) {
            Arrays.fill(b.buf, (byte) 0);
        }
        synchronized (this) {
            if (index.get(addr) != null) {
                b.used1 = b.used2 = -1;
                release(b);
                throw new IllegalStateException(String.format("double allocation: block 0x%x is in use", addr));
            }
            b.addr = addr;
            b.dirty = true;
            index.put(b);
            return b;
        }
    }

    /** Marks a held block queued for writing; the queue takes a reference. */
    synchronized void queued(CachedBlock b) {
        b.queued = true;
        b.ref++;
    }

    /** Called by a syncer once the block is on disk (or its write was dropped). */
    synchronized void written(CachedBlock b) {
        b.queued = false;
        b.dirty = false;
        release(b);
    }

    /**
     * Forgets a freed address: the block, if cached, is never returned for it
     * again and its buffer goes to the bottom of the LRU to be reused first.
     */
    synchronized void forget(long addr) {
        CachedBlock b = index.remove(addr);
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
    synchronized void discardUnwritten(long addr) {
        CachedBlock b = index.get(addr);
        if (b != null && b.dirty && !b.queued) {
            index.remove(addr);
            b.dirty = false;
            b.freed = true;
            b.used1 = b.used2 = -1;
            if (b.ref == 0) {
                evictable.add(b);
                wakeWaiting();
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
            if (!evictable.contains(b)) { // still there if it was in before this hold: see EvictionHeap
                evictable.add(b);
            }
            wakeWaiting();
        }
    }

    private void wakeWaiting() {
        if (waiting > 0) {
            notifyAll();
        }
    }

    private void hold(CachedBlock b) {
        b.ref++; // it stays in the heap, which skips it while held
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
                    if (victim.addr != -1 && index.get(victim.addr) == victim) {
                        index.remove(victim.addr);
                        evictions++;
                    }
                    victim.addr = -1;
                    victim.derived = null; // made from the old block's bytes
                    victim.freed = false;
                    victim.ref = 1;
                    victim.used1 = ++tick;
                    victim.used2 = 0;
                    return victim;
                }
                stalls++;
                waiting++;
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                } finally {
                    waiting--;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    synchronized CacheStats stats() {
        int[] dirty = {0};
        index.forEach(b -> {
            if (b.dirty) {
                dirty[0]++;
            }
        });
        return new CacheStats(capacity, allocated, index.size(), dirty[0], hits, misses, evictions, stalls);
    }

}
