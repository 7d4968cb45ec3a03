package dev.cairn.engine.alloc;

import java.nio.ByteBuffer;

/**
 * What a superblock records of one arena at a sync: where its allocation log
 * starts and exactly how much of its tail that sync made durable.
 *
 * <p>Recording the tail's length and hash here is what makes rewriting the
 * tail in place safe: a later write of the tail block may be torn, but it
 * only appends, so the first {@code tailLength} entry bytes are the same in
 * the old and the new version, and mount verifies exactly those bytes against
 * {@code tailHash} instead of trusting the block's own (possibly torn) header.
 *
 * <p>Byte layout (48 bytes, big-endian): headAddr[8] tailAddr[8] tailLength[4]
 * logBlocks[4] tailHash[8] used[8] headerHash[8].
 *
 * @param headAddr   first block of the log chain
 * @param tailAddr   last block of the chain at this sync
 * @param tailLength entry bytes of the tail covered by this sync
 * @param logBlocks  blocks in the chain
 * @param tailHash   XXH3-64 of those {@code tailLength} entry bytes
 * @param used       bytes of the arena in use after replaying the log
 * @param headerHash hash of the arena header block (h0, and its identical copy h1)
 */
public record ArenaState(long headAddr, long tailAddr, int tailLength, int logBlocks, long tailHash,
                         long used, long headerHash) {

    public static final int SIZE = 48;

    public void pack(ByteBuffer b, int at) {
        b.putLong(at, headAddr).putLong(at + 8, tailAddr).putInt(at + 16, tailLength).putInt(at + 20, logBlocks)
                .putLong(at + 24, tailHash).putLong(at + 32, used).putLong(at + 40, headerHash);
    }

    public static ArenaState unpack(ByteBuffer b, int at) {
        return new ArenaState(b.getLong(at), b.getLong(at + 8), b.getInt(at + 16), b.getInt(at + 20),
                b.getLong(at + 24), b.getLong(at + 32), b.getLong(at + 40));
    }
}
