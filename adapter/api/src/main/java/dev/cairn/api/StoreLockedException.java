package dev.cairn.api;

/**
 * The store file is open already, by another process or by this one: two
 * writers of one file would overwrite each other's blocks. Close the other
 * store (or stop the other server) first.
 */
public class StoreLockedException extends CairnException {
    private static final long serialVersionUID = 1L;

    public StoreLockedException(String message) {
        super(message);
    }

    public StoreLockedException(String message, Throwable cause) {
        super(message, cause);
    }
}
