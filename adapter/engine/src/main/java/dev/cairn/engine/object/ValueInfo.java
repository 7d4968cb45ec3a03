package dev.cairn.engine.object;

/** What the tree says of a value without reading it: its size in bytes and its media type (null: none given). */
public record ValueInfo(long size, String contentType) {
}
