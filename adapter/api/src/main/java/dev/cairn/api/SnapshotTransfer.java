package dev.cairn.api;

/**
 * What a snapshot stream carried, sent or received.
 *
 * @param snapshot the snapshot the stream holds
 * @param base     the older snapshot it holds the changes since, or null for a whole snapshot
 * @param puts     keys it writes
 * @param deletes  keys it deletes
 */
public record SnapshotTransfer(String snapshot, String base, long puts, long deletes) {
}
