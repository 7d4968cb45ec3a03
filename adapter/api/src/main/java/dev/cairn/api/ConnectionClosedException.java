package dev.cairn.api;


/** A call on a connection handle after it was closed or its pooled connection was cleaned up. */
public class ConnectionClosedException extends CairnException {
    private static final long serialVersionUID = 1L;

    public ConnectionClosedException(String message) {
        super(message);
    }
}
