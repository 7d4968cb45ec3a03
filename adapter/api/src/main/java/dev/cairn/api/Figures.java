package dev.cairn.api;

/**
 * The names of a store's figures, as {@link CairnConnectionFactory#statistics()},
 * the figure history, the HTTP API's stats, the metrics ({@code cairn_<name>})
 * and the MBean's rolled-back notification give them. Every value is a
 * {@code long}; a flag is 1 or 0.
 */
public final class Figures {

    /** Live keys as of the last durable commit. */
    public static final String KEYS = "keys";
    /** Transactions made durable since the store was opened. */
    public static final String COMMITS = "commits";
    /** Sync passes since open; commits / syncs is the group-commit factor. */
    public static final String SYNCS = "syncs";
    /** Commits refused for a write conflict since open. */
    public static final String CONFLICTS = "conflicts";
    /** Prepared XA transactions awaiting their outcome. */
    public static final String PREPARED = "prepared";
    /** Named snapshots. */
    public static final String SNAPSHOTS = "snapshots";
    /** Bytes of the file in use, and allocatable. */
    public static final String USED_BYTES = "usedBytes";
    public static final String FREE_BYTES = "freeBytes";
    /** Block reads answered from memory, and from disk. */
    public static final String CACHE_HITS = "cacheHits";
    public static final String CACHE_MISSES = "cacheMisses";
    /** 1 once a write or force failed: the store refuses writes until it is reopened. */
    public static final String READ_ONLY = "readOnly";
    /** The durable generation (sync passes since the store was created). */
    public static final String GENERATION = "generation";
    /** Time spent in sync passes since open, and in the last one, in nanoseconds. */
    public static final String SYNC_NANOS_TOTAL = "syncNanosTotal";
    public static final String LAST_SYNC_NANOS = "lastSyncNanos";
    /** Blocks written since open. */
    public static final String BLOCKS_WRITTEN = "blocksWritten";
    /** Open read snapshots, the age of the oldest, and the freed blocks they hold back from reuse. */
    public static final String OPEN_READERS = "openReaders";
    public static final String OLDEST_READER_SECONDS = "oldestReaderSeconds";
    public static final String BLOCKS_AWAITING_READERS = "blocksAwaitingReaders";
    /** The cache: its size in blocks, blocks not yet written, evictions, and waits for a free buffer. */
    public static final String CACHE_CAPACITY_BLOCKS = "cacheCapacityBlocks";
    public static final String CACHE_DIRTY_BLOCKS = "cacheDirtyBlocks";
    public static final String CACHE_EVICTIONS = "cacheEvictions";
    public static final String CACHE_STALLS = "cacheStalls";
    /** Allocation log blocks, chainings of a log to a new block, and log compressions. */
    public static final String LOG_BLOCKS = "logBlocks";
    public static final String LOG_CHAININGS = "logChainings";
    public static final String LOG_COMPRESSIONS = "logCompressions";
    /** 1 when the mount passed over the newest sync, whose commits may have been acknowledged. */
    public static final String ROLLED_BACK = "rolledBack";
    /** The generation the mount passed over (-1: none), and the block that did not read back (-1: none). */
    public static final String ROLLED_BACK_GENERATION = "rolledBackGeneration";
    public static final String ROLLED_BACK_ADDRESS = "rolledBackAddress";
    /** The file's arenas; {@link #arenaUsedBytes} and {@link #arenaFreeBytes} name each one's space. */
    public static final String ARENAS = "arenas";
    /** Local transactions the adapter began, committed, rolled back, and that failed to commit. */
    public static final String LOCAL_BEGUN = "localTransactionsBegun";
    public static final String LOCAL_COMMITTED = "localTransactionsCommitted";
    public static final String LOCAL_ROLLED_BACK = "localTransactionsRolledBack";
    public static final String LOCAL_FAILED = "localTransactionsFailed";
    /** XA branches prepared, voted read-only, committed, rolled back, and failed. */
    public static final String XA_PREPARED = "xaPrepared";
    public static final String XA_READ_ONLY = "xaReadOnly";
    public static final String XA_COMMITTED = "xaCommitted";
    public static final String XA_ROLLED_BACK = "xaRolledBack";
    public static final String XA_FAILED = "xaFailed";
    /** 1 while the store is a standby of a primary, else 0. */
    public static final String STANDBY = "standby";
    /** Seconds since the primary took the newest snapshot the standby received; -1 before any, or when not a standby. */
    public static final String STANDBY_LAG_SECONDS = "standbyLagSeconds";
    /** Streams the standby received, and rounds that failed (each changing nothing). */
    public static final String STANDBY_RECEIVES = "standbyReceives";
    public static final String STANDBY_FAILURES = "standbyFailures";

    private Figures() {
    }

    /** Bytes in use in arena {@code i}. */
    public static String arenaUsedBytes(int i) {
        return "arena" + i + "UsedBytes";
    }

    /** Bytes allocatable in arena {@code i}. */
    public static String arenaFreeBytes(int i) {
        return "arena" + i + "FreeBytes";
    }
}
