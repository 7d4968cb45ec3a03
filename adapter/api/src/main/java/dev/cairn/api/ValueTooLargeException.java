package dev.cairn.api;

/** A value longer than the store accepts in one piece. */
public class ValueTooLargeException extends CairnException {
    private static final long serialVersionUID = 1L;

    public ValueTooLargeException(String message) {
        super(message);
    }

    public ValueTooLargeException(String message, Throwable cause) {
        super(message, cause);
    }
}
