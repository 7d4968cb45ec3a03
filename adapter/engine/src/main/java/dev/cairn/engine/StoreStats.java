package dev.cairn.engine;

/**
 * A snapshot of a store's figures.
 *
 * @param keys        live keys as of the last durable commit
 * @param commits     transactions made durable since open
 * @param syncs       syncs since open (commits / syncs is the group-commit factor)
 * @param conflicts   commits refused for a write conflict since open
 * @param prepared    prepared transactions awaiting their outcome
 * @param snapshots   named snapshots
 * @param usedBytes   bytes of the file in use
 * @param freeBytes   bytes of the file allocatable
 * @param cacheHits   block reads answered from memory
 * @param cacheMisses block reads that went to disk
 * @param readOnly    true after a failed write or force
 */
public record StoreStats(long keys, long commits, long syncs, long conflicts, long prepared, long snapshots, long usedBytes, long freeBytes,
                         long cacheHits, long cacheMisses, boolean readOnly) {
}
