package dev.cairn.api;

/**
 * One write of {@link CairnConnection#write}: a put, or a delete when
 * {@code value} is null.
 *
 * @param key   the object's key, 1 to 256 bytes
 * @param value its new value, or null to delete it
 */
public record Write(byte[] key, byte[] value) {

    public static Write put(byte[] key, byte[] value) {
        return new Write(key, java.util.Objects.requireNonNull(value, "value"));
    }

    public static Write delete(byte[] key) {
        return new Write(key, null);
    }
}
