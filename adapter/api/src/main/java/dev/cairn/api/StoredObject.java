package dev.cairn.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * An object as one snapshot of the store holds it: its size and strong
 * entity tag, and its bytes, read one block at a time. Close the stream
 * (or this) when done: outside a transaction it holds its own snapshot.
 *
 * @param size    the value's length in bytes
 * @param etag    a strong entity tag: equal tags mean equal bytes (quoted, as HTTP sends it);
 *                it names the bytes only, not the media type
 * @param contentType the media type it was written with, or null when none was given
 * @param content the bytes; its {@code skip} passes over blocks without reading them
 */
public record StoredObject(long size, String etag, String contentType, InputStream content) implements AutoCloseable {

    @Override
    public void close() {
        try {
            content.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
