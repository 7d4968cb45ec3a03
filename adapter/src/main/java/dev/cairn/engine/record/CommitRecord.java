package dev.cairn.engine.record;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Packs and unpacks one commit of the interim log format: the writes of one
 * transaction, appended to the store file as a unit.
 *
 * <p>This format is the stopgap that carries Cairn until the block engine
 * (gefs's arenas, allocation log and superblocks) replaces it; the file's
 * header names it so that engine can refuse it clearly.
 *
 * <p>Byte layout, big-endian:
 * <pre>
 * offset size
 *  0     4    magic 0x43524543 ("CREC")
 *  4     4    payload length P
 *  8     8    XXH3-64 of the P payload bytes
 * 16     P    payload: u32 entry count, then per entry:
 *               u8  op        1 put, 2 delete
 *               u16 key length K
 *               u32 value length V (0 for delete)
 *               u64 XXH3-64 of the K+V bytes that follow
 *               K bytes key, V bytes value
 * </pre>
 * The record hash tells a torn tail (a commit whose write never completed)
 * from a whole one; the entry hash lets a point read verify the one entry it
 * reads without reading the whole commit.
 */
public final class CommitRecord {

    public static final int MAGIC = 0x43524543;
    public static final int HEADER_BYTES = 16;
    public static final int ENTRY_HEADER_BYTES = 15;
    public static final byte OP_PUT = 1;
    public static final byte OP_DELETE = 2;

    private static final Hasher64 XXH3 = Hashing.xxh3_64();

    private CommitRecord() {
    }

    /** One write as it lies in the file. */
    public record Entry(byte op, byte[] key, long entryOffset, int valueLength) {
    }

    /**
     * Encodes the writes of a transaction; a null value is a delete.
     *
     * @param writes in any order; each key at most once
     */
    public static ByteBuffer encode(Map<byte[], byte[]> writes) {
        long size = HEADER_BYTES + 4L;
        for (Map.Entry<byte[], byte[]> w : writes.entrySet()) {
            size += ENTRY_HEADER_BYTES + w.getKey().length + (w.getValue() == null ? 0 : w.getValue().length);
        }
        if (size > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("one commit may hold at most 2 GiB, this one holds " + size + " bytes");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size);
        b.putInt(MAGIC).putInt((int) size - HEADER_BYTES).putLong(0).putInt(writes.size());
        for (Map.Entry<byte[], byte[]> w : writes.entrySet()) {
            byte[] key = w.getKey();
            byte[] value = w.getValue();
            int valueLength = value == null ? 0 : value.length;
            b.put(value == null ? OP_DELETE : OP_PUT).putShort((short) key.length).putInt(valueLength);
            int hashAt = b.position();
            b.putLong(0).put(key);
            if (value != null) {
                b.put(value);
            }
            b.putLong(hashAt, XXH3.hashBytesToLong(b.array(), hashAt + 8, key.length + valueLength));
        }
        b.putLong(8, XXH3.hashBytesToLong(b.array(), HEADER_BYTES, (int) size - HEADER_BYTES));
        return b.flip();
    }

    /** Reads the payload length from a record header; -1 when it is not one. */
    public static int payloadLength(ByteBuffer header) {
        if (header.limit() < HEADER_BYTES || header.getInt(0) != MAGIC) {
            return -1;
        }
        return header.getInt(4);
    }

    /** True when the payload's hash matches the one in the header. */
    public static boolean verify(ByteBuffer header, ByteBuffer payload) {
        return header.getLong(8) == XXH3.hashBytesToLong(payload.array(), 0, payload.limit());
    }

    /**
     * Lists the entries of a verified payload.
     *
     * @param recordOffset where the record starts in the file
     */
    public static List<Entry> entries(ByteBuffer payload, long recordOffset) {
        ByteBuffer p = payload.duplicate();
        int count = p.getInt();
        List<Entry> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = p.position();
            byte op = p.get();
            int keyLength = Short.toUnsignedInt(p.getShort());
            int valueLength = p.getInt();
            p.getLong();
            byte[] key = new byte[keyLength];
            p.get(key);
            p.position(p.position() + valueLength);
            out.add(new Entry(op, key, recordOffset + HEADER_BYTES + at, valueLength));
        }
        return out;
    }

    /**
     * Checks an entry read back from the file and returns its value.
     *
     * @param entry the entry's bytes, header included
     * @return the value, or null when the bytes do not match their hash
     */
    public static byte[] valueIfIntact(ByteBuffer entry, int keyLength, int valueLength) {
        if (Short.toUnsignedInt(entry.getShort(1)) != keyLength || entry.getInt(3) != valueLength) {
            return null;
        }
        long stored = entry.getLong(7);
        if (stored != XXH3.hashBytesToLong(entry.array(), ENTRY_HEADER_BYTES, keyLength + valueLength)) {
            return null;
        }
        byte[] value = new byte[valueLength];
        entry.get(ENTRY_HEADER_BYTES + keyLength, value);
        return value;
    }
}
