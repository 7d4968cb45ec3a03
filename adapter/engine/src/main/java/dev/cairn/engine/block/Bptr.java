package dev.cairn.engine.block;

import java.nio.ByteBuffer;

/**
 * A block pointer: where a block lies, the hash of all its bytes, and the
 * generation in which it was born. "None" is all -1.
 *
 * <p>Byte layout (24 bytes, big-endian): addr[8] hash[8] gen[8].
 *
 * @param addr byte offset of the block, a multiple of the block size
 * @param hash XXH3-64 of the block's {@value BlockFormat#BLOCK_SIZE} bytes
 * @param gen  the sync generation the block was born in; a durable root of
 *             generation G can reach only blocks with gen &lt;= G
 */
public record Bptr(long addr, long hash, long gen) {

    public static final int SIZE = 24;
    public static final Bptr NONE = new Bptr(-1, -1, -1);

    public boolean isNone() {
        return addr == -1;
    }

    public void pack(ByteBuffer b, int at) {
        b.putLong(at, addr).putLong(at + 8, hash).putLong(at + 16, gen);
    }

    public static Bptr unpack(ByteBuffer b, int at) {
        return new Bptr(b.getLong(at), b.getLong(at + 8), b.getLong(at + 16));
    }

    @Override
    public String toString() {
        return isNone() ? "Bptr(none)" : String.format("Bptr(0x%x, hash %016x, gen %d)", addr, hash, gen);
    }
}
