package dev.cairn.api;

/**
 * The management interface of one open store, registered by the resource
 * adapter as {@code dev.cairn:type=Store,name="<store path>"} on the server's
 * platform MBean server (visible through Liberty's REST JMX connector and
 * Admin Center). Figures are since the store was opened unless they say
 * otherwise.
 */
public interface CairnStoreMXBean {

    /** The MBeans' object names: this, then {@code ,name=<the store file's path, quoted>}. */
    String OBJECT_NAME_PREFIX = "dev.cairn:type=Store";

    String getPath();

    boolean isReadOnly();

    /** Why the store takes no writes (the failed write or fsync; a restart recovers), or null while it does. */
    String getReadOnlyReason();

    /** Generation of the last durable sync. */
    long getGeneration();

    /** Live keys as of the last durable commit. */
    long getKeys();

    long getCommits();

    long getConflicts();

    long getSyncs();

    /** Mean duration of a sync pass, in microseconds. */
    long getMeanSyncMicros();

    long getLastSyncMicros();

    long getCacheHits();

    long getCacheMisses();

    /** Hits over all lookups since open; 0 before the first lookup. */
    double getCacheHitRatio();

    int getCacheDirtyBlocks();

    /** Times a caller waited because every cached block was held. */
    long getCacheStalls();

    long getCacheEvictions();

    long getUsedBytes();

    long getFreeBytes();

    long[] getArenaUsedBytes();

    long[] getArenaFreeBytes();

    /** Blocks in each arena's allocation log. */
    int[] getLogBlocks();

    long getLogCompressions();

    long getPreparedTransactions();

    /** Transactions and streams reading a snapshot now. */
    int getOpenReaders();

    /**
     * Seconds the oldest open reader has held its snapshot (0: none). While
     * it does, the blocks of its version that commits have since replaced
     * cannot be reused: a transaction an application forgot to close shows
     * here, and the store holds up to one more copy of what it had then.
     */
    long getOldestReaderSeconds();

    /** Freed blocks waiting for open readers to finish before they are reused. */
    long getBlocksAwaitingReaders();

    String[] getSnapshotNames();

    /**
     * Whether this open's mount passed over the newest sync because a block
     * of it did not read back as written. Its commits may have been
     * acknowledged to clients and are gone: look at the disk, and at what
     * clients were told. Also sent as a notification of type
     * {@value #ROLLED_BACK_NOTIFICATION}.
     */
    boolean isRolledBack();

    /** The generation the mount passed over, or -1. */
    long getRolledBackGeneration();

    /** The file offset of the block of that generation that failed, or -1 when the failure named none. */
    long getRolledBackAddress();

    /** The type of the notification a rolled-back mount sends. */
    String ROLLED_BACK_NOTIFICATION = "dev.cairn.store.rolledBack";

    /** Runs a sync pass now; returns the generation made durable. */
    long sync();

    /** Walks the whole store; returns "ok ..." or "PROBLEMS ..." with what is wrong. */
    String check();

    /** Rewrites every allocation log as its free ranges, durably; returns the generation. */
    long compressLogs();

    void createSnapshot(String name);

    void deleteSnapshot(String name);

    /**
     * Writes snapshot {@code name} as a stream into a new file {@code path} on
     * the server (forced to disk): whole when {@code from} is empty, else the
     * changes since snapshot {@code from}. Returns what it wrote. Fails,
     * naming why, when the file exists or a snapshot does not.
     */
    String sendSnapshotToFile(String name, String from, String path);

    /**
     * Receives the stream in file {@code path} on the server into the store,
     * all or nothing (see {@code CairnConnection.receiveSnapshot}). Returns
     * what it applied; fails, naming why and changing nothing, when the
     * stream is damaged or not for this store.
     */
    String receiveSnapshotFromFile(String path);

    /** The primary this store is a standby of, or null when it is not one. */
    String getStandbyOf();

    /** Seconds this standby is behind its primary (see {@link Figures#STANDBY_LAG_SECONDS}); -1 before its first receive. */
    long getStandbyLagSeconds();

    /** Why the standby's last round of receiving failed, or null. */
    String getStandbyLastFailure();

    /**
     * Makes this standby a primary: it stops receiving from its primary and
     * takes writes. Returns what it was a standby of; fails when it is none.
     */
    String promote();

    /**
     * The store's change subscriptions, one line each: name, whether an
     * activated message-driven bean delivers to it, its position, its lag
     * (changes committed after its position), and since its activation
     * started the events delivered, failed deliveries, redeliveries and the last
     * failure. A subscription with no activation keeps its changes in the
     * store until it is dropped.
     */
    String[] getChangeSubscriptions();

    /**
     * Deletes change subscription {@code name} and the change records only
     * it still needed; a bean activated with it later starts at the newest
     * change. Refused while a bean's activation delivers to it. Returns
     * whether it existed.
     */
    boolean dropChangeSubscription(String name);
}
