package dev.cairn.ejb;

/**
 * One operation of a batch.
 *
 * @param key   the object's key
 * @param value its new value, or null to delete it
 */
public record BatchOp(byte[] key, byte[] value) {
}
