/**
 * Getting blocks to disk and finding them again: the syncers and their queues
 * (gefs's {@code runsync}, ordered by generation, op and address), the write
 * barrier, the superblock's format, and the mount that picks the newest valid
 * superblock.
 *
 * <p>Threads: a syncer is a task on {@code work.Workers} that runs while its
 * queue has entries; a barrier may drain a queue on the syncing thread; mount
 * runs on the opener's thread. Locks: {@code Syncers.fenceLock} and each
 * {@code SyncQueue}'s monitor, never held together; a producer waits on a full
 * queue's monitor. A drainer writes and releases blocks holding neither: it
 * takes the cache's locks then, and an arena's lock to release a freed block.
 */
package dev.cairn.engine.sync;
