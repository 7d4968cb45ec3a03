/**
 * The block cache (venti's dcache): fixed memory, lookup by address, LRU-2
 * eviction of blocks nobody holds, dirty and queued blocks never evicted, and
 * back-pressure when every buffer is held.
 *
 * <p>Threads: readers, committers and syncer tasks. Locks: a miss reads the
 * disk under one of {@code BlockCache}'s address stripes; each
 * {@code CacheSegment}'s monitor guards its index, heap and blocks, never
 * during I/O. Order: stripe, then segment. The cache's locks come last in the
 * block store's order.
 */
package dev.cairn.engine.cache;
