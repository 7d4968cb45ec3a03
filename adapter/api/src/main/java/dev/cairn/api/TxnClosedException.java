package dev.cairn.api;

/** An operation on a transaction that has committed, rolled back or been closed. */
public class TxnClosedException extends CairnException {
    private static final long serialVersionUID = 1L;

    public TxnClosedException(String message) {
        super(message);
    }

    public TxnClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
