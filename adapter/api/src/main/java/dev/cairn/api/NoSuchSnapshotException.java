package dev.cairn.api;

/** No snapshot has the name given. */
public class NoSuchSnapshotException extends CairnException {
    private static final long serialVersionUID = 1L;

    public NoSuchSnapshotException(String message) {
        super(message);
    }
}
