/**
 * Transactions' machinery: the commit queue (commits applied together), group
 * sync (one sync for the commits that arrive while one runs), the conflict
 * tracker with its read sets, and the snapshot table with its dead lists.
 *
 * <p>Threads: committers and transaction threads. Locks: {@code GroupSync}'s
 * and {@code ConflictTracker}'s monitors, each held for bookkeeping only with
 * nothing locked under it (a caller may hold the store's commit lock); no lock
 * is held while leading or awaiting a sync. {@code CommitQueue} parks and
 * unparks, no lock. {@code SnapshotTable} is guarded by the store's commit lock.
 */
package dev.cairn.engine.txn;
