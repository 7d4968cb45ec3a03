package dev.cairn.api;

import java.util.Objects;

/**
 * One write of {@link CairnConnection#write}: a put, or a delete when
 * {@code value} is null.
 *
 * @param key         the object's key, 1 to 256 bytes
 * @param value       its new value, or null to delete it
 * @param contentType the value's media type ({@link ContentTypes}), or null for none (and for a delete)
 */
public record Write(byte[] key, byte[] value, String contentType) {

    public static Write put(byte[] key, byte[] value) {
        return put(key, value, null);
    }

    public static Write put(byte[] key, byte[] value, String contentType) {
        return new Write(key, Objects.requireNonNull(value, "value"), contentType);
    }

    public static Write delete(byte[] key) {
        return new Write(key, null, null);
    }
}
