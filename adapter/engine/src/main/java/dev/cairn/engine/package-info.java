/**
 * The engine's entry points: {@code Store} (lifecycle, snapshots, the commit
 * lock) with {@code CommitPipeline} (group commit),
 * {@code PreparedTransactions} (the XA prepared table), {@code NamedSnapshots}
 * and {@code Admission} (the limits and conflict checks writes pass),
 * {@code Standby} and {@code Receiving} (a store a primary feeds, and the
 * writes that feed it), {@code Txn}, {@code StoreConfig}; and {@code BlockStore}, the block layer
 * over one file, with {@code ArenaSet} (which arena a block comes from),
 * {@code BlockFrees} (how a freed block gets back to its arena),
 * {@code BulkRead} (bulk data read past the cache),
 * {@code StoreFormat} (format, mount), {@code SyncPass} (a sync) and
 * {@code DurableCheck}. The subpackages never import this one: they
 * reach the store through {@code access.BlockAccess} and threads through
 * {@code work.Workers}. Plain Java: no {@code jakarta.*}.
 *
 * <p>Threads: application threads call {@code Store}, a {@code Txn} one thread
 * at a time; a committer may lead the group sync; syncer tasks run on
 * {@code Workers}. Lock order: {@code Store}'s {@code commitLock}, then the
 * block store's locks, the group sync's or the conflict tracker's monitor;
 * within {@code BlockStore}: {@code syncLock}, {@code segmentLock}, an arena's
 * lock, the cache's locks.
 */
package dev.cairn.engine;
