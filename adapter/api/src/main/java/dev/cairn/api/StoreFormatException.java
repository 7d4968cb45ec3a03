package dev.cairn.api;

/** A file that is not a Cairn store, or one this version cannot open. */
public class StoreFormatException extends CairnException {
    private static final long serialVersionUID = 1L;

    public StoreFormatException(String message) {
        super(message);
    }

    public StoreFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
