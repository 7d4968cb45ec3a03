/**
 * Arenas (gefs's): each a span of the file with its free ranges and its own
 * allocation log, appended to before space is used and replayed at mount;
 * freed blocks stay unreleased until no durable root and no reader reaches them.
 *
 * <p>Threads: committers allocate and free, the sync seals the logs, syncer
 * tasks release blocks. Lock: each {@code Arena.lock} guards its arena, log I/O
 * included; one arena's lock at a time. The block store takes it after its
 * {@code segmentLock} (when it holds that too), and under it takes only the
 * cache's locks (to forget a block it releases or gives back).
 */
package dev.cairn.engine.alloc;
