package dev.cairn.api;

import dev.cairn.api.CairnException;

/**
 * A conditional operation ({@link Precondition}) found the object not as it
 * required; nothing was written. Over HTTP: {@code 412}.
 */
public class PreconditionFailedException extends CairnException {
    private static final long serialVersionUID = 1L;

    public PreconditionFailedException(String message) {
        super(message);
    }
}
