package dev.cairn.engine.object;

import dev.cairn.engine.access.BlockAccess;
import dev.cairn.engine.block.Bptr;
import java.util.List;

/**
 * A large value a transaction streamed into data blocks before its commit:
 * the blocks are written but only reserved ({@link BlockAccess#newReservedBlock}),
 * so a transaction that never commits leaks nothing. Claimed at commit (or
 * prepare); otherwise given back when the transaction ends.
 *
 * @param chunks     the data blocks, in order, each full but the last
 * @param length     bytes of the value
 */
public record StreamedValue(List<Bptr> chunks, long length) {

    /** Bytes held by chunk {@code i}. */
    public int chunkLength(int i) {
        return i < chunks.size() - 1 ? ObjectLayout.CHUNK : (int) (length - (long) i * ObjectLayout.CHUNK);
    }
}
