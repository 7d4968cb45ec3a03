package dev.cairn.engine.object;

/**
 * A value written with a media type: {@code value} is what an untyped write
 * holds (the bytes, a {@link StreamedValue} or a {@link PreparedLarge}). An
 * untyped write is the bare value, so a write set without media types is
 * exactly what it was before values had them.
 */
public record Typed(String contentType, Object value) {

    /** {@code value} with {@code contentType}, or the bare value when the type is null. */
    public static Object of(String contentType, Object value) {
        return contentType == null ? value : new Typed(contentType, value);
    }

    /** The value of a write, without its media type. */
    public static Object value(Object write) {
        return write instanceof Typed t ? t.value : write;
    }

    /** The media type of a write, or null. */
    public static String contentType(Object write) {
        return write instanceof Typed t ? t.contentType : null;
    }
}
