package dev.cairn.api;

/** Something with that name exists already (a snapshot, say). */
public class AlreadyExistsException extends CairnException {
    private static final long serialVersionUID = 1L;

    public AlreadyExistsException(String message) {
        super(message);
    }
}
