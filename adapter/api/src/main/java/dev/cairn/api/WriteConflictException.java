package dev.cairn.api;

/**
 * A transaction wrote a key that another transaction committed after this
 * one began: under snapshot isolation the later committer loses. Nothing of
 * the losing transaction is applied; retry it from the start.
 */
public class WriteConflictException extends CairnException {
    private static final long serialVersionUID = 1L;

    public WriteConflictException(String message) {
        super(message);
    }
}
