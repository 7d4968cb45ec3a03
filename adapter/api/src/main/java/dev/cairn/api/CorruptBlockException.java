package dev.cairn.api;

/** Bytes read from disk do not match their hash: Cairn never returns them. The message names the address and says corrupt. */
public class CorruptBlockException extends CairnException {
    private static final long serialVersionUID = 1L;

    public CorruptBlockException(String message) {
        super(message);
    }

    public CorruptBlockException(String message, Throwable cause) {
        super(message, cause);
    }
}
