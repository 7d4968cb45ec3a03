package dev.cairn.api;

/** A media type Cairn will not store with an object: see {@link ContentTypes#check}. */
public class InvalidContentTypeException extends CairnException {
    private static final long serialVersionUID = 1L;

    public InvalidContentTypeException(String message) {
        super(message);
    }
}
