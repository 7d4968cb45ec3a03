package dev.cairn.api;

/**
 * A write refused because the transaction would hold more in memory than the
 * store's {@code maxTransactionBytes}. The transaction is as it was before
 * that write: commit what it has, or roll it back, and write the rest in
 * further transactions.
 */
public class TransactionTooLargeException extends CairnException {
    private static final long serialVersionUID = 1L;

    public TransactionTooLargeException(String message) {
        super(message);
    }
}
