package dev.cairn.api;

/**
 * One object in a listing.
 *
 * @param key  the object's key
 * @param size its value's length in bytes
 * @param contentType the media type it was written with, or null when none was given
 */
public record ObjectInfo(byte[] key, long size, String contentType) {
}
