/**
 * Snapshots as checksummed streams: {@code SnapshotSender} writes a named
 * snapshot whole or as the changes since an older one, {@code
 * SnapshotReceiver} verifies a stream frame by frame and applies it to a new
 * store file or to a store that holds the stream's base, all or nothing, and
 * {@code BackupMain} does both on store files from the command line. The
 * format ({@code StreamFormat}) is described in {@code adapter/DESIGN.md}.
 *
 * <p>Threads: a send or receive runs on its caller's thread, through the
 * store's public API (read-only snapshot transactions, one write
 * transaction); it takes no lock of its own.
 */
package dev.cairn.engine.backup;
