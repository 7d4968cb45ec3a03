package dev.cairn.engine.object;

import dev.cairn.api.ContentTypes;
import dev.cairn.api.CorruptBlockException;
import dev.cairn.engine.access.BlockAccess;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.block.BlockHash;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.block.ReferenceWalker;
import dev.cairn.engine.tree.Tree;
import dev.cairn.engine.tree.TreeFormat;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * How objects lie in the tree. One tree holds these kinds of entry, apart by
 * their key's first byte:
 * <pre>
 *   0x00 userKey                   -> 0x00 value bytes             (a small value, inline)
 *                                  -> 0x01 length[8] objectId[8]   (a large value, in data blocks)
 *                                  -> 0x80 n[1] type[n] value bytes            (inline, with a media type)
 *                                  -> 0x81 n[1] type[n] length[8] objectId[8]  (large, with a media type)
 *   0x01 objectId[8] index[8]      -> Bptr[24] length[4]           (one 16 KiB chunk of a large value)
 *   0x02 "keys"                    -> count[8]                     (how many user keys exist)
 *   0x03 xid                       -> a prepared transaction's write set (kept like any value:
 *                                     inline when small, in data blocks when large)
 *   0x04 objectId[8]               -> 0x01 length objectId: a value a prepared transaction
 *                                     streamed, parked until its outcome
 *   0x05, 0x06, 0x07             -> the change log, its subscriptions, its numbering floor ({@link ChangeRecords})
 * </pre>
 * A write set: u32 count, then per write: u16 key length, key, u8 kind
 * (0 delete; 1 put: u32 length, value; 2 put of a streamed value whose
 * chunks are in the tree already: u64 length, u64 object id; 3 a put with
 * a media type: u8 n, n bytes of type, then kind 1 or 2 as above).
 * A media type ({@link ContentTypes}: printable US-ASCII, at most 255
 * bytes) is kept with the value it was written with; a value without one
 * is stored exactly as before media types existed, so older stores read
 * unchanged and an untyped store's format is the same.
 * Chunks of one object sort together and in order. An object's id is the
 * address of its first data block, unique while the object lives.
 */
public final class ObjectLayout {

    /** Largest value kept inline (one byte of the tree value says which kind). */
    public static final int MAX_INLINE = TreeFormat.MAX_INLINE_VALUE - 1;
    public static final int CHUNK = BlockFormat.BLOCK_SIZE;
    /** Longest user key. */
    public static final int MAX_USER_KEY = 256;

    static final byte[] KEY_COUNT = {2, 'k', 'e', 'y', 's'};
    private static final byte USER = 0;
    private static final byte CHUNK_KEY = 1;
    private static final byte PREPARED = 3;
    private static final byte PARKED = 4;
    private static final byte INLINE = 0;
    private static final byte LARGE = 1;
    /** Or'ed into a stored value's kind when a media type follows it. */
    private static final int TYPED = 0x80;
    private static final byte PUT_TYPED = 3;

    private ObjectLayout() {
    }

    public static byte[] userKey(byte[] key) {
        byte[] k = new byte[key.length + 1];
        System.arraycopy(key, 0, k, 1, key.length);
        return k;
    }

    static boolean isUserKey(byte[] internal) {
        return internal.length > 0 && internal[0] == USER;
    }

    /** Where a prepared transaction's write set is kept. */
    public static byte[] preparedKey(byte[] xid) {
        byte[] k = new byte[xid.length + 1];
        k[0] = PREPARED;
        System.arraycopy(xid, 0, k, 1, xid.length);
        return k;
    }

    /** Where a prepared transaction parks a streamed value (object {@code objectId}) until its outcome. */
    public static byte[] parkedKey(long objectId) {
        return ByteBuffer.allocate(9).put(PARKED).putLong(objectId).array();
    }

    /**
     * Packs a write set: user key to a {@code byte[]} value, a
     * {@link PreparedLarge}, or null for a delete.
     */
    public static byte[] packWrites(Map<byte[], Object> writes) {
        int size = 4;
        for (Map.Entry<byte[], Object> e : writes.entrySet()) {
            Object v = e.getValue();
            String type = Typed.contentType(v);
            v = Typed.value(v);
            size += 2 + e.getKey().length + 1 + (v == null ? 0 : v instanceof byte[] bytes ? 4 + bytes.length : 16)
                    + (type == null ? 0 : 2 + type.length());
        }
        ByteBuffer b = ByteBuffer.allocate(size).putInt(writes.size());
        for (Map.Entry<byte[], Object> e : writes.entrySet()) {
            b.putShort((short) e.getKey().length).put(e.getKey());
            Object v = e.getValue();
            String type = Typed.contentType(v);
            if (type != null) {
                b.put(PUT_TYPED).put((byte) type.length()).put(type.getBytes(StandardCharsets.US_ASCII));
                v = Typed.value(v);
            }
            if (v == null) {
                b.put((byte) 0);
            } else if (v instanceof byte[] bytes) {
                b.put((byte) 1).putInt(bytes.length).put(bytes);
            } else {
                PreparedLarge p = (PreparedLarge) v;
                b.put((byte) 2).putLong(p.length()).putLong(p.objectId());
            }
        }
        return b.array();
    }

    /** Unpacks a write set in key order: {@code byte[]}, {@link PreparedLarge}, or null for a delete. */
    public static TreeMap<byte[], Object> unpackWrites(byte[] packed) {
        TreeMap<byte[], Object> out = new TreeMap<>(Arrays::compareUnsigned);
        ByteBuffer b = ByteBuffer.wrap(packed);
        int n = b.getInt();
        for (int i = 0; i < n; i++) {
            byte[] k = new byte[Short.toUnsignedInt(b.getShort())];
            b.get(k);
            byte kind = b.get();
            String type = null;
            if (kind == PUT_TYPED) {
                byte[] t = new byte[Byte.toUnsignedInt(b.get())];
                b.get(t);
                type = new String(t, StandardCharsets.US_ASCII);
                kind = b.get();
            }
            if (kind == 0) {
                out.put(k, null);
            } else if (kind == 1) {
                byte[] v = new byte[b.getInt()];
                b.get(v);
                out.put(k, Typed.of(type, v));
            } else {
                out.put(k, Typed.of(type, new PreparedLarge(b.getLong(), b.getLong())));
            }
        }
        return out;
    }

    /**
     * The value of user key {@code key} as a stream that reads one chunk at a
     * time, or null when absent. The caller keeps the snapshot pinned while
     * it reads.
     */
    public static InputStream stream(BlockAccess store, Bptr root, byte[] key) {
        byte[] stored = Tree.get(store, root, userKey(key));
        if (stored == null) {
            return null;
        }
        if (!isLarge(stored)) {
            int at = payload(stored);
            return new ByteArrayInputStream(stored, at, stored.length - at);
        }
        long id = largeId(stored);
        long length = largeLength(stored);
        return new ChunkStream(store, length, i -> {
            byte[] cv = Tree.get(store, root, chunkKey(id, i));
            if (cv == null) {
                throw new CorruptBlockException(String.format("object 0x%x is corrupt: chunk %d is missing", id, i));
            }
            return chunkPtr(cv);
        });
    }

    /** A streamed value not yet committed, as a stream. */
    public static InputStream stream(BlockAccess store, StreamedValue v) {
        return new ChunkStream(store, v.length(), i -> v.chunks().get((int) i));
    }

    /** The bytes of a streamed value not yet committed. */
    public static byte[] materialize(BlockAccess store, StreamedValue v) {
        try (InputStream in = stream(store, v)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new dev.cairn.api.CairnException("reading a streamed value failed: " + e.getMessage(), e);
        }
    }

    /** The prepared transactions in the tree at {@code root}: xid to packed write set. */
    public static List<Map.Entry<byte[], byte[]>> prepared(BlockAccess store, Bptr root) {
        List<Map.Entry<byte[], byte[]>> out = new ArrayList<>();
        Iterator<Map.Entry<byte[], byte[]>> it = Tree.scan(store, root, new byte[] {PREPARED}, new byte[] {PREPARED + 1});
        while (it.hasNext()) {
            Map.Entry<byte[], byte[]> e = it.next();
            out.add(Map.entry(Arrays.copyOfRange(e.getKey(), 1, e.getKey().length), materialize(store, root, e.getValue())));
        }
        return out;
    }

    static byte[] chunkKey(long objectId, long index) {
        return ByteBuffer.allocate(17).put(CHUNK_KEY).putLong(objectId).putLong(index).array();
    }

    /** Largest value kept inline with media type {@code contentType} (null: none). */
    public static int maxInline(String contentType) {
        return contentType == null ? MAX_INLINE : MAX_INLINE - 1 - contentType.length();
    }

    static byte[] inline(byte[] value, String contentType) {
        int at = headerLength(contentType);
        byte[] v = new byte[at + value.length];
        header(v, INLINE, contentType);
        System.arraycopy(value, 0, v, at, value.length);
        return v;
    }

    static byte[] large(long length, long objectId, String contentType) {
        int at = headerLength(contentType);
        byte[] v = new byte[at + 16];
        header(v, LARGE, contentType);
        ByteBuffer.wrap(v).putLong(at, length).putLong(at + 8, objectId);
        return v;
    }

    private static int headerLength(String contentType) {
        return contentType == null ? 1 : 2 + contentType.length();
    }

    private static void header(byte[] v, byte kind, String contentType) {
        if (contentType == null) {
            v[0] = kind;
            return;
        }
        v[0] = (byte) (kind | TYPED);
        v[1] = (byte) contentType.length();
        byte[] t = contentType.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(t, 0, v, 2, t.length);
    }

    /** Where a stored value's payload (its bytes, or a large value's length and id) starts. */
    private static int payload(byte[] stored) {
        return (stored[0] & TYPED) == 0 ? 1 : 2 + Byte.toUnsignedInt(stored[1]);
    }

    /** The media type a stored value was written with, or null. */
    static String contentType(byte[] stored) {
        return (stored[0] & TYPED) == 0 ? null
                : new String(stored, 2, Byte.toUnsignedInt(stored[1]), StandardCharsets.US_ASCII);
    }

    /** A stored value's size and media type, without reading a large value's chunks. */
    static ValueInfo info(byte[] stored) {
        long size = isLarge(stored) ? largeLength(stored) : stored.length - payload(stored);
        return new ValueInfo(size, contentType(stored));
    }

    static byte[] chunkValue(Bptr bp, int length) {
        ByteBuffer b = ByteBuffer.allocate(Bptr.SIZE + 4);
        bp.pack(b, 0);
        return b.putInt(Bptr.SIZE, length).array();
    }

    static boolean isLarge(byte[] stored) {
        return (stored[0] & 0x7f) == LARGE;
    }

    static long largeLength(byte[] stored) {
        return ByteBuffer.wrap(stored).getLong(payload(stored));
    }

    static long largeId(byte[] stored) {
        return ByteBuffer.wrap(stored).getLong(payload(stored) + 8);
    }

    static long chunks(long length) {
        return (length + CHUNK - 1) / CHUNK;
    }

    /**
     * Fills a data block that was not zeroed with one chunk: {@code len}
     * bytes of {@code src} from {@code off}, zeros after a short last chunk
     * (the block's hash covers the whole block, so no stale byte may stay).
     */
    static void fillChunk(byte[] block, byte[] src, int off, int len) {
        System.arraycopy(src, off, block, 0, len);
        Arrays.fill(block, len, CHUNK, (byte) 0);
    }

    static Bptr chunkPtr(byte[] chunkValue) {
        return Bptr.unpack(ByteBuffer.wrap(chunkValue), 0);
    }

    static int chunkLength(byte[] chunkValue) {
        return ByteBuffer.wrap(chunkValue).getInt(Bptr.SIZE);
    }

    static long count(byte[] stored) {
        return stored == null ? 0 : ByteBuffer.wrap(stored).getLong();
    }

    static byte[] count(long n) {
        return ByteBuffer.allocate(8).putLong(n).array();
    }

    /** The value of user key {@code key} in the tree at {@code root}, or null. */
    public static byte[] get(BlockAccess store, Bptr root, byte[] key) {
        byte[] stored = Tree.get(store, root, userKey(key));
        return stored == null ? null : materialize(store, root, stored);
    }

    /** The value stored under internal key {@code key} (a prepared record's, say), or null. */
    public static byte[] getInternal(BlockAccess store, Bptr root, byte[] key) {
        byte[] stored = Tree.get(store, root, key);
        return stored == null ? null : materialize(store, root, stored);
    }

    /** Whether user key {@code key} exists in the tree at {@code root}, without reading a large value. */
    public static boolean exists(BlockAccess store, Bptr root, byte[] key) {
        return Tree.get(store, root, userKey(key)) != null;
    }

    /** The data blocks holding user key {@code key}'s value, in order; empty for an inline or absent value. */
    public static List<Bptr> dataBlocks(BlockAccess store, Bptr root, byte[] key) {
        byte[] stored = Tree.get(store, root, userKey(key));
        return stored == null || !isLarge(stored) ? List.of() : chunkRecords(store, root, stored).stream().map(ObjectLayout::chunkPtr).toList();
    }

    /**
     * The chunk records of the large value stored as {@code stored}, in
     * order, from one scan of the tree rather than a descent each.
     *
     * @throws CorruptBlockException when one is missing
     */
    private static List<byte[]> chunkRecords(BlockAccess store, Bptr root, byte[] stored) {
        long id = largeId(stored);
        long n = chunks(largeLength(stored));
        Iterator<Map.Entry<byte[], byte[]>> it = Tree.scan(store, root, chunkKey(id, 0), chunkKey(id, n));
        List<byte[]> out = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            Map.Entry<byte[], byte[]> e = it.hasNext() ? it.next() : null;
            if (e == null || !Arrays.equals(e.getKey(), chunkKey(id, i))) {
                throw new CorruptBlockException(String.format("object 0x%x is corrupt: chunk %d is missing", id, i));
            }
            out.add(e.getValue());
        }
        return out;
    }

    /**
     * A strong entity tag of user key {@code key}'s value in the tree at
     * {@code root}, or null when absent: equal tags mean equal bytes (up to
     * a 64-bit hash collision). Derived from hashes the store keeps, so a
     * large value's data blocks are not read: an inline value's tag hashes
     * its bytes; a large value's hashes its length and its chunks' block
     * hashes, read from the chunk entries.
     */
    public static String etag(BlockAccess store, Bptr root, byte[] key) {
        byte[] stored = Tree.get(store, root, userKey(key));
        return stored == null ? null : etagOf(store, root, stored);
    }

    /**
     * The tag of the value stored as {@code stored}: its bytes' hash, or a
     * large value's chunk hashes (no data read). A value small enough for a
     * leaf but kept in a data block (written when only values of up to 511
     * bytes lived in the leaves, or by a transaction holding many writes:
     * see {@code Txn.put}) is tagged from its bytes (one block read), as it
     * would be in a leaf: equal values have equal tags whichever way a store
     * keeps them, and two stores with the same contents the same digest.
     */
    private static String etagOf(BlockAccess store, Bptr root, byte[] stored) {
        if (!isLarge(stored)) {
            int at = payload(stored);
            return inlineEtag(stored, at, stored.length - at);
        }
        if (largeLength(stored) <= maxInline(contentType(stored))) {
            byte[] bytes = materialize(store, root, stored);
            return inlineEtag(bytes, 0, bytes.length);
        }
        return chunksEtag(largeLength(stored), chunkRecords(store, root, stored).stream().map(ObjectLayout::chunkPtr).toList());
    }

    /** User keys in {@code [from, to)} with their values' sizes, tags and types, from the tree without reading the values. */
    public static Iterator<Map.Entry<byte[], ValueTag>> tags(BlockAccess store, Bptr root, byte[] from, byte[] to) {
        return userEntries(store, root, from, to, stored -> new ValueTag(info(stored).size(), etagOf(store, root, stored),
                contentType(stored)));
    }

    /** The tag {@link #etag} gives a value of {@code length} bytes at {@code off} of {@code bytes}, once committed inline. */
    public static String inlineEtag(byte[] bytes, int off, int length) {
        return String.format("\"i%016x\"", BlockHash.of(bytes, off, length));
    }

    /**
     * Whether stores before values of up to 4 KiB lived in the leaves kept a
     * value of {@code length} bytes with media type {@code contentType} in
     * data blocks (over 511 bytes, or 510 less the type's length).
     */
    public static boolean wasLargeInVersion1(long length, String contentType) {
        return length > (contentType == null ? 511 : 510 - contentType.length());
    }

    /**
     * The tag such a store gave {@code value} when it kept it in data blocks
     * ({@link #chunksEtag} of the blocks {@code ObjectWriter} writes for it),
     * for reading streams of format version 1.
     */
    public static String version1Etag(byte[] value) {
        List<Bptr> chunks = new ArrayList<>();
        byte[] block = new byte[CHUNK];
        for (int off = 0; off < value.length; off += CHUNK) {
            int len = Math.min(CHUNK, value.length - off);
            fillChunk(block, value, off, len);
            chunks.add(new Bptr(0, BlockHash.ofBlock(block), 0));
        }
        return chunksEtag(value.length, chunks);
    }

    /** The tag {@link #etag} gives a large value of {@code length} bytes in {@code chunks}. */
    public static String chunksEtag(long length, List<Bptr> chunks) {
        ByteBuffer b = ByteBuffer.allocate(8 + 8 * chunks.size()).putLong(length);
        chunks.forEach(c -> b.putLong(c.hash()));
        return String.format("\"l%016x\"", BlockHash.of(b.array(), 0, b.capacity()));
    }

    /** Live user keys in the tree at {@code root}. */
    public static long keyCount(BlockAccess store, Bptr root) {
        return count(Tree.get(store, root, KEY_COUNT));
    }

    /** Turns a stored value into the user's bytes, reading a large value's chunks. */
    static byte[] materialize(BlockAccess store, Bptr root, byte[] stored) {
        if (!isLarge(stored)) {
            return Arrays.copyOfRange(stored, payload(stored), stored.length);
        }
        byte[] out = new byte[Math.toIntExact(largeLength(stored))];
        // Whole chunks go straight from disk (or the cache) into the value,
        // consecutive ones in one read, and none is cached; only a short last
        // chunk passes through a buffer of its own.
        List<Bptr> whole = new ArrayList<>();
        int at = 0;
        for (byte[] record : chunkRecords(store, root, stored)) {
            int len = chunkLength(record);
            if (len == CHUNK) {
                whole.add(chunkPtr(record));
                continue;
            }
            at = readWhole(store, whole, out, at);
            byte[] block = new byte[CHUNK]; // the whole block, for its hash
            store.readInto(List.of(chunkPtr(record)), block, 0);
            System.arraycopy(block, 0, out, at, len);
            at += len;
        }
        readWhole(store, whole, out, at);
        return out;
    }

    /** Reads the whole chunks gathered so far into {@code out} at {@code at}; returns the offset after them. */
    private static int readWhole(BlockAccess store, List<Bptr> whole, byte[] out, int at) {
        store.readInto(whole, out, at);
        int after = at + whole.size() * CHUNK;
        whole.clear();
        return after;
    }

    /** User entries with keys in {@code [from, to)} of the tree at {@code root}, values materialized lazily. */
    public static Iterator<Map.Entry<byte[], byte[]>> scan(BlockAccess store, Bptr root, byte[] from, byte[] to) {
        return userEntries(store, root, from, to, v -> materialize(store, root, v));
    }

    /** User keys in {@code [from, to)} with their values' sizes and types, from the tree without reading the values. */
    public static Iterator<Map.Entry<byte[], ValueInfo>> infos(BlockAccess store, Bptr root, byte[] from, byte[] to) {
        return userEntries(store, root, from, to, ObjectLayout::info);
    }

    /** User entries in {@code [from, to)} (to null: all), keys without their prefix, values through {@code value}. */
    private static <V> Iterator<Map.Entry<byte[], V>> userEntries(BlockAccess store, Bptr root, byte[] from, byte[] to,
                                                                  Function<byte[], V> value) {
        byte[] lo = userKey(from);
        byte[] hi = to == null ? new byte[] {CHUNK_KEY} : userKey(to);
        Iterator<Map.Entry<byte[], byte[]>> it = Tree.scan(store, root, lo, hi);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Map.Entry<byte[], V> next() {
                Map.Entry<byte[], byte[]> e = it.next();
                return Map.entry(Arrays.copyOfRange(e.getKey(), 1, e.getKey().length), value.apply(e.getValue()));
            }
        };
    }

    /**
     * What the checker follows: pivots to their children, and every chunk
     * entry, as a read sees it, to its data block.
     */
    public static ReferenceWalker walker() {
        return Tree.walker(k -> k.length == 17 && k[0] == CHUNK_KEY, ObjectLayout::chunkPtr);
    }
}
