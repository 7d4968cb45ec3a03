package dev.cairn.engine.alloc;

import dev.cairn.engine.block.BlockFormat;
import java.nio.ByteBuffer;

/**
 * Packs and unpacks an arena header. Every arena starts with its header h0
 * and an identical copy h1 in the next block; the superblock records the
 * header's hash, and mount falls back from h0 to h1 when h0 does not match.
 *
 * <p>Cairn's header is written once, at format, and holds what never changes:
 * which arena this is and what it spans. The arena's changing state (log
 * head and tail, used bytes), which gefs rewrites into h0 and h1 at every
 * sync, lives in the superblock ({@link ArenaState}): with two superblocks
 * written alternately, that costs no extra block writes or forces per sync,
 * and no single crash can tear both the state a mount needs and its copy.
 *
 * <p>Block layout, big-endian: type[2] = 5, index[4], start[8] (offset of h0),
 * dataStart[8], dataSize[8], reserve[8], blockSize[4]; zeros to the end.
 */
public record ArenaHeader(int index, long start, long dataStart, long dataSize, long reserve) {

    public byte[] pack() {
        byte[] buf = new byte[BlockFormat.BLOCK_SIZE];
        ByteBuffer.wrap(buf).putShort((short) BlockFormat.TYPE_ARENA).putInt(index).putLong(start)
                .putLong(dataStart).putLong(dataSize).putLong(reserve).putInt(BlockFormat.BLOCK_SIZE);
        return buf;
    }

    /** Unpacks a header whose hash has been verified; null when the type is wrong. */
    public static ArenaHeader unpack(byte[] buf) {
        ByteBuffer b = ByteBuffer.wrap(buf);
        if (b.getShort(0) != BlockFormat.TYPE_ARENA || b.getInt(38) != BlockFormat.BLOCK_SIZE) {
            return null;
        }
        return new ArenaHeader(b.getInt(2), b.getLong(6), b.getLong(14), b.getLong(22), b.getLong(30));
    }

    public long end() {
        return dataStart + dataSize;
    }

    public boolean contains(long addr) {
        return addr >= dataStart && addr < end();
    }
}
