package dev.cairn.engine.tree;

/**
 * An upsert message: what a transaction did to one key. Messages wait in
 * pivot buffers on their way down to the leaves; a newer message for a key
 * replaces an older one, so a buffer holds at most one per key.
 *
 * @param op    {@link #PUT} or {@link #DELETE}
 * @param key   at most {@link Keys#MAX_KEY} bytes
 * @param value at most {@link TreeFormat#MAX_INLINE_VALUE} bytes for a put, empty for a delete
 */
public record Msg(byte op, byte[] key, byte[] value) {

    public static final byte PUT = 1;
    public static final byte DELETE = 2;
    private static final byte[] NONE = new byte[0];

    public Msg {
        if (key.length > Keys.MAX_KEY || value.length > TreeFormat.MAX_INLINE_VALUE) {
            throw new IllegalArgumentException("a tree message takes keys up to " + Keys.MAX_KEY + " bytes and values up to "
                    + TreeFormat.MAX_INLINE_VALUE + ", not " + key.length + " and " + value.length);
        }
    }

    public static Msg put(byte[] key, byte[] value) {
        return new Msg(PUT, key, value);
    }

    public static Msg delete(byte[] key) {
        return new Msg(DELETE, key, NONE);
    }

    /** Bytes this message takes in a pivot buffer, its offset slot included. */
    int packedSize() {
        return 2 + 2 + key.length + 1 + 2 + value.length;
    }
}
