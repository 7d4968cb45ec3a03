package dev.cairn.api;

/** No prepared transaction has the xid given (already committed or rolled back, or never prepared). */
public class NoSuchTransactionException extends CairnException {
    private static final long serialVersionUID = 1L;

    public NoSuchTransactionException(String message) {
        super(message);
    }
}
