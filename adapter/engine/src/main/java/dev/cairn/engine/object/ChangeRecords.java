package dev.cairn.engine.object;

import dev.cairn.engine.access.BlockAccess;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.tree.Tree;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the change log lies in the object tree, beside the entries
 * {@link ObjectLayout} describes:
 * <pre>
 *   0x05 last[8]            -> generation[8] timeMillis[8] count[4], then count times:
 *                              kind[1] size[8] keyLength[2] key                 (the changes of one tree write)
 *   0x06 subscription name  -> position[8]                                      (the last number it acknowledged)
 *   0x07 "floor"            -> number[8]       (the newest number when the last subscription was dropped)
 * </pre>
 * Changes are numbered by one, in commit order, from 1; one record holds
 * the changes of one tree write (a commit, or the commits applied
 * together), numbered {@code last - count + 1} to {@code last}, and is
 * written in that same tree write, so it is durable exactly when they are.
 * Keyed by its last number, the record holding change n is the first at or
 * after key n; a tree write of more than {@link #MAX_RECORD} changes has a
 * record per {@link #MAX_RECORD}, so a reader unpacks a bounded record.
 * The floor keeps the numbering rising over the store's life, also once
 * every record and subscription is gone. Kind 1 is a put (size: the value's bytes), kind 2 a delete
 * (size -1). A subscription's name is UTF-8, at most {@link #MAX_NAME}
 * bytes. Both are kept as values of the object layout (inline, or a large
 * value's chunks for a big commit's record), so the writer and the check
 * treat them as any value.
 */
public final class ChangeRecords {

    public static final byte PUT = 1;
    public static final byte DELETE = 2;
    /** Longest subscription name, in bytes. */
    public static final int MAX_NAME = 200;

    /** Most changes in one record. */
    public static final int MAX_RECORD = 1000;
    /** Where the numbering's floor is kept. */
    public static final byte[] FLOOR = {7, 'f', 'l', 'o', 'o', 'r'};

    private static final byte CHANGE = 5;
    private static final byte SUBSCRIPTION = 6;
    private static final int HEADER = 8 + 8 + 4;

    /** One change as the log keeps it. */
    public record Change(long number, byte kind, long generation, long timeMillis, long size, byte[] key) {
    }

    private ChangeRecords() {
    }

    /** The key of the record whose last change is number {@code last}. */
    public static byte[] recordKey(long last) {
        return ByteBuffer.allocate(9).put(CHANGE).putLong(last).array();
    }

    /** The first key past every change record. */
    public static byte[] recordsEnd() {
        return new byte[] {CHANGE + 1};
    }

    public static long last(byte[] recordKey) {
        return ByteBuffer.wrap(recordKey).getLong(1);
    }

    /** A record's value: the user keys of {@code keys} with their writes' sizes ({@link #sizeOf}; -1 a delete). */
    public static byte[] pack(long generation, long timeMillis, List<byte[]> keys, List<Long> sizes) {
        int n = HEADER;
        for (byte[] k : keys) {
            n += 1 + 8 + 2 + k.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n).putLong(generation).putLong(timeMillis).putInt(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            long size = sizes.get(i);
            b.put(size < 0 ? DELETE : PUT).putLong(size).putShort((short) keys.get(i).length).put(keys.get(i));
        }
        return b.array();
    }

    /** The changes of the record stored under {@code recordKey} with value {@code value}, numbered after {@code after}, at most {@code max} of them. */
    static void unpack(byte[] recordKey, byte[] value, long after, int max, List<Change> out) {
        ByteBuffer b = ByteBuffer.wrap(value);
        long generation = b.getLong();
        long time = b.getLong();
        int count = b.getInt();
        long number = last(recordKey) - count;
        for (int i = 0; i < count && out.size() < max; i++) {
            number++;
            byte kind = b.get();
            long size = b.getLong();
            byte[] key = new byte[b.getShort() & 0xffff];
            b.get(key);
            if (number > after) {
                out.add(new Change(number, kind, generation, time, size, key));
            }
        }
    }

    public static byte[] subscriptionKey(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[n.length + 1];
        k[0] = SUBSCRIPTION;
        System.arraycopy(n, 0, k, 1, n.length);
        return k;
    }

    public static byte[] subscriptionsStart() {
        return new byte[] {SUBSCRIPTION};
    }

    public static byte[] subscriptionsEnd() {
        return new byte[] {SUBSCRIPTION + 1};
    }

    public static String subscriptionName(byte[] key) {
        return new String(key, 1, key.length - 1, StandardCharsets.UTF_8);
    }

    /** A position as stored: a u64, as the key count is. */
    public static byte[] position(long position) {
        return ObjectLayout.count(position);
    }

    public static long position(byte[] value) {
        return ObjectLayout.count(value);
    }

    /** The user key of internal key {@code internal}, or null when it is not a user key's entry. */
    public static byte[] userKeyOf(byte[] internal) {
        return ObjectLayout.isUserKey(internal) ? Arrays.copyOfRange(internal, 1, internal.length) : null;
    }

    /** The size in bytes of a write's value as the commit path carries it; -1 for a delete. */
    public static long sizeOf(Object write) {
        Object v = Typed.value(write);
        if (v == null) {
            return -1;
        }
        if (v instanceof byte[] b) {
            return b.length;
        }
        if (v instanceof StreamedValue s) {
            return s.length();
        }
        if (v instanceof PreparedLarge p) {
            return p.length();
        }
        throw new IllegalArgumentException("not a user write: " + v);
    }

    /** Up to {@code max} changes numbered after {@code after}, in order, from the tree at {@code root}. */
    public static List<Change> after(BlockAccess store, Bptr root, long after, int max) {
        List<Change> out = new ArrayList<>();
        Iterator<Map.Entry<byte[], byte[]>> it = Tree.scan(store, root, recordKey(after + 1), recordsEnd());
        while (it.hasNext() && out.size() < max) {
            Map.Entry<byte[], byte[]> e = it.next();
            unpack(e.getKey(), ObjectLayout.materialize(store, root, e.getValue()), after, max, out);
        }
        return out;
    }

    /**
     * The last change numbers of the records in the tree at {@code root}
     * whose last change is in {@code (after, through]}, in order; values are
     * not read.
     */
    public static List<Long> recordsBetween(BlockAccess store, Bptr root, long after, long through) {
        List<Long> out = new ArrayList<>();
        if (through <= after) {
            return out;
        }
        Iterator<Map.Entry<byte[], byte[]>> it = Tree.scan(store, root, recordKey(after + 1), recordKey(through + 1));
        while (it.hasNext()) {
            out.add(last(it.next().getKey()));
        }
        return out;
    }

    /** The number of the newest change recorded in the tree at {@code root}, or 0 when there is none. */
    public static long newest(BlockAccess store, Bptr root) {
        long newest = 0;
        Iterator<Map.Entry<byte[], byte[]>> it = Tree.scan(store, root, recordKey(0), recordsEnd());
        while (it.hasNext()) {
            newest = last(it.next().getKey());
        }
        return newest;
    }

    /** The floor of the numbering in the tree at {@code root} (see {@link #FLOOR}), or 0. */
    public static long floor(BlockAccess store, Bptr root) {
        byte[] stored = Tree.get(store, root, FLOOR);
        return stored == null ? 0 : position(ObjectLayout.materialize(store, root, stored));
    }

    /** The subscriptions in the tree at {@code root}, name to position, in name order. */
    public static Map<String, Long> subscriptions(BlockAccess store, Bptr root) {
        Map<String, Long> out = new LinkedHashMap<>();
        Iterator<Map.Entry<byte[], byte[]>> it = Tree.scan(store, root, subscriptionsStart(), subscriptionsEnd());
        while (it.hasNext()) {
            Map.Entry<byte[], byte[]> e = it.next();
            out.put(subscriptionName(e.getKey()), position(ObjectLayout.materialize(store, root, e.getValue())));
        }
        return out;
    }
}
