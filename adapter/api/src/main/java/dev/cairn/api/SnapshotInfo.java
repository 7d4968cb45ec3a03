package dev.cairn.api;

/**
 * A named snapshot.
 *
 * @param name       its name
 * @param generation the sync generation it was taken in
 */
public record SnapshotInfo(String name, long generation) {
}
