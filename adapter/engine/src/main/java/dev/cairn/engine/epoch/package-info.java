/**
 * Epoch-based reclamation (gefs's limbo): a freed block is handed on only once
 * no thread inside an epoch, and no transaction's pin, can still see it.
 *
 * <p>Threads: every thread that touches blocks enters and exits (a slot taken
 * by compare-and-set); transactions pin and unpin. Lock: {@code Epochs.clean}
 * is synchronized and runs the released blocks' actions under its monitor (the
 * block store queues them to the syncers, so a syncer queue's monitor is taken
 * under it); the sync calls it holding {@code syncLock}. Enter, exit, pin and
 * retire take no lock.
 */
package dev.cairn.engine.epoch;
