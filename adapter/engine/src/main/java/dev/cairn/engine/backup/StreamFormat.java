package dev.cairn.engine.backup;

import dev.cairn.api.InvalidStreamException;
import dev.cairn.engine.block.BlockHash;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The snapshot stream: a sequence of frames, each {@code type u8, length
 * u32, payload, hash u64}, integers big-endian. A frame's hash is XXH3 over
 * the previous frame's hash (0 before the first), its type, its length and
 * its payload, so a frame changed, dropped, repeated or moved breaks the
 * chain at that frame. The first frame is the header, the last the end;
 * nothing may follow the end. The format is described with the on-disk
 * format in {@code adapter/DESIGN.md}.
 */
final class StreamFormat {

    static final byte[] MAGIC = "CAIRNSTR".getBytes(StandardCharsets.US_ASCII);
    /**
     * The version written. 2: the digests take every value small enough for
     * a leaf by its bytes' tag, however the sender kept it. 1, still read:
     * they took a value over 511 bytes (fewer with a media type) by its
     * chunks' tag, as stores kept such values in data blocks then
     * ({@link Digest#of(dev.cairn.engine.Txn, int)}).
     */
    static final int VERSION = 2;
    /** The oldest version read. */
    static final int OLDEST_VERSION = 1;
    static final byte KIND_FULL = 0;
    static final byte KIND_INCREMENTAL = 1;

    static final int HEADER = 1;
    static final int PUT = 2;
    static final int DATA = 3;
    static final int DELETE = 4;
    static final int END = 5;

    /** Most value bytes one data frame carries. */
    static final int DATA_BYTES = 64 * 1024;
    /** Larger than any frame a sender writes: a reader refuses a length past it before allocating. */
    static final int MAX_PAYLOAD = DATA_BYTES + 1024;
    /** A put's content type length when it has none. */
    static final int NO_TYPE = 0xFFFF;

    private StreamFormat() {
    }

    static long chain(long previous, int type, byte[] payload, int length) {
        return BlockHash.stream().putLong(previous).putByte((byte) type).putInt(length)
                .putBytes(payload, 0, length).getAsLong();
    }

    /** Writes frames, keeping the chain. Not thread safe. */
    static final class Writer {
        private final OutputStream out;
        private long hash;
        private long bytes;

        Writer(OutputStream out) {
            this.out = out;
        }

        void frame(int type, byte[] payload, int length) throws IOException {
            hash = chain(hash, type, payload, length);
            byte[] head = ByteBuffer.allocate(5).put((byte) type).putInt(length).array();
            out.write(head);
            out.write(payload, 0, length);
            out.write(ByteBuffer.allocate(8).putLong(hash).array());
            bytes += 13 + length;
        }

        void frame(int type, ByteBuffer payload) throws IOException {
            frame(type, payload.array(), payload.position());
        }

        long bytes() {
            return bytes;
        }
    }

    /** One verified frame. */
    record Frame(int type, byte[] payload, long offset) {
        ByteBuffer buffer() {
            return ByteBuffer.wrap(payload);
        }
    }

    /** Reads and verifies frames; every failure names the frame and its offset in the stream. Not thread safe. */
    static final class Reader {
        private final DataInputStream in;
        private long hash;
        private long offset;
        private int frames;

        Reader(InputStream in) {
            this.in = new DataInputStream(in);
        }

        /** The next frame, verified against the chain. */
        Frame next() {
            long at = offset;
            int type;
            try {
                type = in.read();
            } catch (IOException e) {
                throw new InvalidStreamException("reading the stream failed at byte " + at + ": " + e.getMessage(), e);
            }
            if (type < 0) {
                throw new InvalidStreamException("the stream is truncated: it ends at byte " + at + " after "
                        + frames + " frames, without its end frame");
            }
            try {
                int length = in.readInt();
                if (length < 0 || length > MAX_PAYLOAD) {
                    throw new InvalidStreamException("the stream is corrupt: frame " + frames + " at byte " + at
                            + " claims " + Integer.toUnsignedString(length) + " bytes, more than any frame holds");
                }
                byte[] payload = new byte[length];
                in.readFully(payload);
                long stored = in.readLong();
                long expected = chain(hash, type, payload, length);
                if (stored != expected) {
                    throw new InvalidStreamException("the stream is corrupt: frame " + frames + " at byte " + at
                            + " does not match its hash (changed, or out of place)");
                }
                hash = expected;
                offset += 13 + length;
                frames++;
                return new Frame(type, payload, at);
            } catch (EOFException e) {
                throw new InvalidStreamException("the stream is truncated: it ends inside frame " + frames
                        + ", which starts at byte " + at, e);
            } catch (IOException e) {
                throw new InvalidStreamException("reading the stream failed in frame " + frames + " at byte " + at
                        + ": " + e.getMessage(), e);
            }
        }

        /** Refuses anything after the end frame. */
        void expectEnd() {
            try {
                if (in.read() >= 0) {
                    throw new InvalidStreamException("the stream is corrupt: bytes follow its end frame at byte "
                            + offset);
                }
            } catch (IOException e) {
                throw new InvalidStreamException("reading the stream failed at byte " + offset + ": "
                        + e.getMessage(), e);
            }
        }
    }

    static void putString(ByteBuffer b, String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        b.putShort((short) u.length).put(u);
    }

    static String getString(ByteBuffer b) {
        byte[] u = new byte[b.getShort() & 0xFFFF];
        b.get(u);
        return new String(u, StandardCharsets.UTF_8);
    }

    static byte[] getBytes(ByteBuffer b) {
        byte[] u = new byte[b.getShort() & 0xFFFF];
        b.get(u);
        return u;
    }
}
