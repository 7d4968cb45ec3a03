package dev.cairn.engine.cache;

import dev.cairn.engine.block.BlockFormat;

/**
 * A block's bytes in the cache. A holder gets one from {@link BlockCache}
 * and must {@link #close()} it; while held, it is never evicted or reused.
 * Every field but the buffer is guarded by its segment's lock.
 */
public final class CachedBlock implements AutoCloseable {

    final byte[] buf = new byte[BlockFormat.BLOCK_SIZE];
    final CacheSegment segment;
    long addr = -1;
    /** Generation the block was born in (set by its allocator). */
    volatile long gen = -1;
    int ref;
    /** Written by its owner and not yet on disk: never evicted. */
    boolean dirty;
    /** Waiting in a sync queue: never evicted. */
    boolean queued;
    /** Its address has been freed; a queued write of it is skipped. */
    volatile boolean freed;
    /** Times of the last and the second-to-last use (LRU-2). */
    long used1;
    long used2;
    /** Position in the eviction heap, or -1 when not in it (a block in it may be held again: see {@link EvictionHeap}). */
    int heapIndex = -1;
    /** {@link #used1} and {@link #used2} as the heap last sorted the block under them. */
    long heapUsed1;
    long heapUsed2;
    /** The next block in its {@link AddressIndex} chain. */
    CachedBlock nextInIndex;
    /** See {@link #derived()}; set to null whenever the buffer is handed out again. */
    volatile Object derived;

    CachedBlock(CacheSegment segment) {
        this.segment = segment;
    }

    /** The block's bytes; change them only while dirty and held. */
    public byte[] data() {
        return buf;
    }

    public long addr() {
        return addr;
    }

    public long gen() {
        return gen;
    }

    public void gen(long g) {
        this.gen = g;
    }

    /**
     * What a reader derived from this block's bytes and left here for the
     * next reader (a tree node's search index), or null. It lives exactly as
     * long as the bytes it was made from: the cache drops it before it hands
     * the buffer out for another block. Make it only from a block that is
     * no longer changing (one read from disk or already written), keep it
     * immutable, and within {@link BlockCache#DERIVED_BYTES}. Two readers
     * may make it at once; either result will do.
     */
    public Object derived() {
        return derived;
    }

    public void derive(Object d) {
        derived = d;
    }

    public boolean isFreed() {
        return freed;
    }

    /** Drops this holder's reference. */
    @Override
    public void close() {
        segment.release(this);
    }
}
