package dev.cairn.api;

/**
 * Root of every error Cairn raises. Unchecked: a caller that cannot act on a
 * storage failure should not have to declare it, and one that can catches the
 * specific subtype.
 */
public class CairnException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CairnException(String message) {
        super(message);
    }

    public CairnException(String message, Throwable cause) {
        super(message, cause);
    }
}
