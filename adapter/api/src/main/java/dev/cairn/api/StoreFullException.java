package dev.cairn.api;

/** The store has no free block left for the write (the reserve still lets deletes and the log proceed). */
public class StoreFullException extends CairnException {
    private static final long serialVersionUID = 1L;

    public StoreFullException(String message) {
        super(message);
    }
}
