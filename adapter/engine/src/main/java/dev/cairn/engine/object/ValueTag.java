package dev.cairn.engine.object;

/**
 * What the tree says of a value without reading its bytes: its size, its
 * strong entity tag (equal tags, equal bytes) and its media type (null: none).
 */
public record ValueTag(long size, String etag, String contentType) {
}
