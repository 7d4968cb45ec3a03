package dev.cairn.engine.cache;

/**
 * The cache's figures.
 *
 * @param capacity  blocks the budget allows
 * @param buffers   buffers allocated so far (never more than capacity)
 * @param cached    addresses in the cache
 * @param dirty     cached blocks not yet on disk
 * @param hits      lookups answered from memory
 * @param misses    lookups that read the disk
 * @param evictions cached blocks dropped for room
 * @param stalls    times a caller waited because every block was held
 */
public record CacheStats(int capacity, int buffers, int cached, int dirty, long hits, long misses,
                         long evictions, long stalls) {
}
