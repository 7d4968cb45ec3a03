package dev.cairn.api;

/** An operation on a store that has been closed. */
public class StoreClosedException extends CairnException {
    private static final long serialVersionUID = 1L;

    public StoreClosedException(String message) {
        super(message);
    }

    public StoreClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
