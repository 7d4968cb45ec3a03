package dev.cairn.api;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One committed put or delete, as {@link CairnChangeListener} receives it.
 * It carries no value: read the key through {@code eis/cairn} if the value
 * is wanted (it may have changed again since).
 *
 * @param position    the change's number in the store's commit order, from 1; a
 *                    subscription's position is the last one it acknowledged
 * @param key         the key that was written
 * @param kind        put or delete
 * @param size        the value's length in bytes; -1 for a delete
 * @param generation  the sync generation its commit was made durable in
 * @param committedAt when its commit was applied
 * @param redelivered whether a delivery of this event failed before, in this
 *                    activation; false does not promise a first delivery: after
 *                    a crash or restart the events after the last acknowledged
 *                    one come again unmarked (at least once: use the position to
 *                    tell a repeat)
 */
public record ChangeEvent(long position, byte[] key, Kind kind, long size, long generation, Instant committedAt,
                          boolean redelivered) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** What the commit did to the key. */
    public enum Kind { PUT, DELETE }

    public ChangeEvent {
        key = key.clone();
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    /** The key as UTF-8 text (as the HTTP API names it). */
    public String keyString() {
        return new String(key, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return kind + " " + keyString() + " #" + position + (redelivered ? " (redelivered)" : "");
    }
}
