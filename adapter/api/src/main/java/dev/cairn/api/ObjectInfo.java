package dev.cairn.api;

/**
 * One object in a listing.
 *
 * @param key  the object's key
 * @param size its value's length in bytes
 */
public record ObjectInfo(byte[] key, long size) {
}
