package dev.cairn.api;

import dev.cairn.api.CairnException;

/**
 * The store behind a connection factory cannot be opened: its file is not a
 * Cairn store, is damaged, cannot be read, or the adapter has stopped. The
 * message says which file and why; nothing was changed.
 */
public class StoreUnavailableException extends CairnException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
