package dev.cairn.api;

/**
 * What a write did.
 *
 * @param created whether the key had no object (as the write's transaction saw it)
 * @param length  the new value's length in bytes
 * @param etag    the new value's strong entity tag
 */
public record WriteResult(boolean created, long length, String etag) {
}
