package dev.cairn.api;

/** The store refuses writes: a write or force failed earlier, so what is on disk past the last good sync is unknown. Reopen the store to recover the last completed commit. */
public class ReadOnlyStoreException extends CairnException {
    private static final long serialVersionUID = 1L;

    public ReadOnlyStoreException(String message) {
        super(message);
    }

    public ReadOnlyStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
