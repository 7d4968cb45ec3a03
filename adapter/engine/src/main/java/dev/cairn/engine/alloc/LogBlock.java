package dev.cairn.engine.alloc;

import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.block.BlockHash;
import dev.cairn.engine.block.Bptr;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Packs and unpacks an allocation-log block and its entries.
 *
 * <p>Block layout, big-endian:
 * <pre>
 *  0  u16  type = 3 (log)
 *  2  u16  logsz: bytes of entries in use
 *  4  u64  loghash: XXH3-64 of the logsz entry bytes
 * 12  Bptr next log block (24 bytes; none = all -1)
 * 36  entries
 * </pre>
 * A log tail is rewritten in place as it grows, so a log block carries its
 * own hash over the bytes in use rather than relying on a pointer's hash.
 *
 * <p>Entry: one u64 {@code offset | op}; ops alloc and free (4, 5) add a u64
 * length. Ops: nop 0, alloc1 1 (one block), free1 2, sync 3 (the word is
 * {@code gen << 8 | 3}), alloc 4, free 5.
 */
public final class LogBlock {

    public static final int OP_NOP = 0;
    public static final int OP_ALLOC1 = 1;
    public static final int OP_FREE1 = 2;
    public static final int OP_SYNC = 3;
    public static final int OP_ALLOC = 4;
    public static final int OP_FREE = 5;
    /** Ops at or above this one carry a length word. */
    public static final int OP_WIDE = 4;

    private static final int LOGSZ_AT = 2;
    private static final int HASH_AT = 4;
    private static final int NEXT_AT = 12;

    private LogBlock() {
    }

    /** One decoded entry. */
    public record Entry(int op, long offset, long length) {
        public long syncGen() {
            return offset >>> 8;
        }
    }

    /** Visits decoded entries. */
    public interface EntryVisitor {
        void visit(Entry e);
    }

    /** Sets up an empty log block in {@code buf}. */
    public static void init(byte[] buf) {
        Arrays.fill(buf, (byte) 0);
        ByteBuffer b = ByteBuffer.wrap(buf);
        b.putShort(0, (short) BlockFormat.TYPE_LOG);
        Bptr.NONE.pack(b, NEXT_AT);
    }

    /** Appends an entry at {@code logsz}; returns the new logsz. */
    public static int append(byte[] buf, int logsz, int op, long offset, long length) {
        ByteBuffer b = ByteBuffer.wrap(buf);
        int at = BlockFormat.LOG_HEADER_SIZE + logsz;
        if (op == OP_SYNC) {
            b.putLong(at, offset << 8 | OP_SYNC);
            return logsz + 8;
        }
        b.putLong(at, offset | op);
        if (op >= OP_WIDE) {
            b.putLong(at + 8, length);
            return logsz + 16;
        }
        return logsz + 8;
    }

    /**
     * Writes the header fields that make the block self-verifying.
     *
     * @return the hash of the entries, as written into the header
     */
    public static long finalizeHeader(byte[] buf, int logsz, long nextAddr) {
        ByteBuffer b = ByteBuffer.wrap(buf);
        long hash = entriesHash(buf, logsz);
        b.putShort(0, (short) BlockFormat.TYPE_LOG);
        b.putShort(LOGSZ_AT, (short) logsz);
        b.putLong(HASH_AT, hash);
        (nextAddr == -1 ? Bptr.NONE : new Bptr(nextAddr, -1, -1)).pack(b, NEXT_AT);
        return hash;
    }

    public static long entriesHash(byte[] buf, int logsz) {
        return BlockHash.of(buf, BlockFormat.LOG_HEADER_SIZE, logsz);
    }

    public static int type(byte[] buf) {
        return Short.toUnsignedInt(ByteBuffer.wrap(buf).getShort(0));
    }

    public static int logsz(byte[] buf) {
        return Short.toUnsignedInt(ByteBuffer.wrap(buf).getShort(LOGSZ_AT));
    }

    public static long storedHash(byte[] buf) {
        return ByteBuffer.wrap(buf).getLong(HASH_AT);
    }

    public static long next(byte[] buf) {
        return ByteBuffer.wrap(buf).getLong(NEXT_AT);
    }

    /**
     * Decodes the entries in {@code [0, logsz)}.
     *
     * @throws IllegalStateException naming the position when an entry is malformed
     */
    public static void decode(byte[] buf, int logsz, EntryVisitor visitor) {
        ByteBuffer b = ByteBuffer.wrap(buf);
        int i = 0;
        while (i < logsz) {
            long word = b.getLong(BlockFormat.LOG_HEADER_SIZE + i);
            int op = (int) (word & 0xff);
            long off = word & ~0xffL;
            if (op >= OP_WIDE) {
                if (i + 16 > logsz) {
                    throw new IllegalStateException("entry at " + i + " runs past the log's end " + logsz);
                }
                long len = b.getLong(BlockFormat.LOG_HEADER_SIZE + i + 8);
                if (op > OP_FREE) {
                    throw new IllegalStateException("unknown log op " + op + " at " + i);
                }
                visitor.visit(new Entry(op, off, len));
                i += 16;
            } else {
                if (op == OP_SYNC) {
                    visitor.visit(new Entry(op, word >>> 8 << 8, 0));
                } else {
                    visitor.visit(new Entry(op, off, op == OP_NOP ? 0 : BlockFormat.BLOCK_SIZE));
                }
                i += 8;
            }
        }
    }
}
