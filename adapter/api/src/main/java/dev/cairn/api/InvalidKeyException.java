package dev.cairn.api;

/** A key that is empty or longer than Store.MAX_KEY_BYTES. */
public class InvalidKeyException extends CairnException {
    private static final long serialVersionUID = 1L;

    public InvalidKeyException(String message) {
        super(message);
    }

    public InvalidKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
