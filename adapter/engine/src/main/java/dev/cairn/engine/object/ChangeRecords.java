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
 *   0x05 number[8]          -> kind[1] generation[8] timeMillis[8] size[8] key   (one committed put or delete)
 *   0x06 subscription name  -> position[8]                                      (the last number it acknowledged)
 * </pre>
 * Numbers rise by one per change, in commit order, from 1. A record is
 * written in the same tree write as the change it describes, so it is
 * durable exactly when the change is. Kind 1 is a put (size: the value's
 * bytes), kind 2 a delete (size -1). A subscription's name is UTF-8, at
 * most {@link #MAX_NAME} bytes. Both are kept as inline values (the kind
 * byte of {@link ObjectLayout} first), so the writer and the check treat
 * them as any small value.
 */
public final class ChangeRecords {

    public static final byte PUT = 1;
    public static final byte DELETE = 2;
    /** Longest subscription name, in bytes. */
    public static final int MAX_NAME = 200;

    private static final byte CHANGE = 5;
    private static final byte SUBSCRIPTION = 6;

    /** One change as the log keeps it. */
    public record Change(long number, byte kind, long generation, long timeMillis, long size, byte[] key) {
    }

    private ChangeRecords() {
    }

    public static byte[] changeKey(long number) {
        return ByteBuffer.allocate(9).put(CHANGE).putLong(number).array();
    }

    /** The first key past every change record. */
    public static byte[] changesEnd() {
        return new byte[] {CHANGE + 1};
    }

    public static long number(byte[] changeKey) {
        return ByteBuffer.wrap(changeKey).getLong(1);
    }

    public static byte[] pack(byte kind, long generation, long timeMillis, long size, byte[] key) {
        return ByteBuffer.allocate(1 + 8 + 8 + 8 + key.length).put(kind).putLong(generation).putLong(timeMillis)
                .putLong(size).put(key).array();
    }

    public static Change unpack(byte[] changeKey, byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        return new Change(number(changeKey), b.get(), b.getLong(), b.getLong(), b.getLong(),
                Arrays.copyOfRange(value, 25, value.length));
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

    public static byte[] position(long position) {
        return ByteBuffer.allocate(8).putLong(position).array();
    }

    public static long position(byte[] value) {
        return ByteBuffer.wrap(value).getLong();
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
        Iterator<Map.Entry<byte[], byte[]>> it = Tree.scan(store, root, changeKey(after + 1), changesEnd());
        while (it.hasNext() && out.size() < max) {
            Map.Entry<byte[], byte[]> e = it.next();
            out.add(unpack(e.getKey(), ObjectLayout.materialize(store, root, e.getValue())));
        }
        return out;
    }

    /** The number of the newest change record in the tree at {@code root}, or 0 when there is none. */
    public static long newest(BlockAccess store, Bptr root) {
        long newest = 0;
        Iterator<Map.Entry<byte[], byte[]>> it = Tree.scan(store, root, changeKey(0), changesEnd());
        while (it.hasNext()) {
            newest = number(it.next().getKey());
        }
        return newest;
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
