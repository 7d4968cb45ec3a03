package dev.cairn.api;

/**
 * A snapshot stream that cannot be received: not a Cairn stream, truncated,
 * corrupt (a frame does not match its hash), or not for this store (an
 * incremental stream whose base the store does not hold as it was sent).
 * The message says which and where; the receiving store is left as it was.
 */
public class InvalidStreamException extends CairnException {
    private static final long serialVersionUID = 1L;

    public InvalidStreamException(String message) {
        super(message);
    }

    public InvalidStreamException(String message, Throwable cause) {
        super(message, cause);
    }
}
