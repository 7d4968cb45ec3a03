package dev.cairn.engine.object;

/**
 * In a prepared transaction's write set: a streamed value whose chunks the
 * prepare already put in the tree under object {@code objectId}; committing
 * the prepared transaction only points the user's key at it.
 */
public record PreparedLarge(long length, long objectId) {
}
