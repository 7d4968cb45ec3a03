package dev.cairn.engine.backup;

import dev.cairn.engine.Store;
import dev.cairn.engine.Txn;
import dev.cairn.engine.object.ValueTag;
import dev.cairn.engine.tree.Keys;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

/**
 * Sends a named snapshot as a stream: all of it (full), or what changed
 * since an older snapshot (incremental: a put of every key whose value or
 * media type differs, a delete of every key gone). It reads the snapshots
 * as read-only transactions, so commits go on meanwhile, and holds one data
 * frame of a value in memory at a time, however large the value.
 *
 * <p>An incremental stream is found by walking both snapshots' keys, with
 * their entity tags, in order: one walk of each tree, reading no value; its
 * cost grows with the number of keys, its size with what changed.
 */
public final class SnapshotSender {

    /** What a send wrote. */
    public record Sent(long puts, long deletes, long bytes) {
    }

    private SnapshotSender() {
    }

    /**
     * Writes snapshot {@code name} to {@code out}, whole when {@code base} is
     * null, else as the changes since snapshot {@code base}. Does not close
     * {@code out}.
     *
     * @throws dev.cairn.api.NoSuchSnapshotException when either snapshot does not exist
     */
    public static Sent send(Store store, String name, String base, OutputStream out) throws IOException {
        Objects.requireNonNull(name, "name");
        StreamFormat.Writer w = new StreamFormat.Writer(out);
        try (Txn newer = store.beginAt(name); Txn older = base == null ? null : store.beginAt(base)) {
            ByteBuffer h = ByteBuffer.allocate(StreamFormat.MAX_PAYLOAD);
            h.put(StreamFormat.MAGIC).put((byte) StreamFormat.VERSION)
                    .put(base == null ? StreamFormat.KIND_FULL : StreamFormat.KIND_INCREMENTAL);
            StreamFormat.putString(h, name);
            StreamFormat.putString(h, base == null ? "" : base);
            w.frame(StreamFormat.HEADER, h);

            Digest sent = new Digest();
            Digest from = new Digest();
            long puts = 0;
            long deletes = 0;
            Iterator<Map.Entry<byte[], ValueTag>> n = newer.tags(null, null).iterator();
            Iterator<Map.Entry<byte[], ValueTag>> o = older == null ? null : older.tags(null, null).iterator();
            Map.Entry<byte[], ValueTag> ne = next(n);
            Map.Entry<byte[], ValueTag> oe = next(o);
            while (ne != null || oe != null) {
                int c = ne == null ? 1 : oe == null ? -1 : Keys.ORDER.compare(ne.getKey(), oe.getKey());
                if (c > 0) { // only in the older: gone
                    from.add(oe.getKey(), oe.getValue().etag(), oe.getValue().contentType());
                    delete(w, oe.getKey());
                    deletes++;
                    oe = next(o);
                    continue;
                }
                byte[] key = ne.getKey();
                String tag = ne.getValue().etag();
                String type = ne.getValue().contentType();
                sent.add(key, tag, type);
                boolean changed = true;
                if (c == 0) {
                    String oldTag = oe.getValue().etag();
                    from.add(key, oldTag, oe.getValue().contentType());
                    changed = !tag.equals(oldTag) || !Objects.equals(type, oe.getValue().contentType());
                    oe = next(o);
                }
                if (changed) {
                    put(w, newer, key, ne.getValue());
                    puts++;
                }
                ne = next(n);
            }
            ByteBuffer end = ByteBuffer.allocate(32).putLong(puts).putLong(deletes)
                    .putLong(older == null ? Digest.EMPTY : from.value()).putLong(sent.value());
            w.frame(StreamFormat.END, end);
            out.flush();
            return new Sent(puts, deletes, w.bytes());
        }
    }

    /**
     * Like {@link #send}, into a new file {@code file}, forced to disk before
     * this returns; a send that fails leaves no file, so no partial stream is
     * mistaken for a backup.
     *
     * @throws java.nio.file.FileAlreadyExistsException when the file exists (it is left as it was)
     */
    public static Sent toFile(Store store, String name, String base, Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            try {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                Sent sent = send(store, name, base, out);
                out.flush();
                ch.force(true);
                return sent;
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(file);
                throw e;
            }
        }
    }

    private static <T> T next(Iterator<T> it) {
        return it != null && it.hasNext() ? it.next() : null;
    }

    private static void delete(StreamFormat.Writer w, byte[] key) throws IOException {
        ByteBuffer d = ByteBuffer.allocate(2 + key.length).putShort((short) key.length).put(key);
        w.frame(StreamFormat.DELETE, d);
    }

    private static void put(StreamFormat.Writer w, Txn t, byte[] key, ValueTag info) throws IOException {
        ByteBuffer p = ByteBuffer.allocate(StreamFormat.MAX_PAYLOAD);
        p.putShort((short) key.length).put(key);
        if (info.contentType() == null) {
            p.putShort((short) StreamFormat.NO_TYPE);
        } else {
            StreamFormat.putString(p, info.contentType());
        }
        p.putLong(info.size());
        w.frame(StreamFormat.PUT, p);
        byte[] buf = new byte[StreamFormat.DATA_BYTES];
        long left = info.size();
        try (InputStream in = t.getStream(key)) {
            while (left > 0) {
                int n = in.readNBytes(buf, 0, (int) Math.min(buf.length, left));
                if (n <= 0) {
                    throw new IllegalStateException("value of a snapshot ended " + left + " bytes early");
                }
                w.frame(StreamFormat.DATA, buf, n);
                left -= n;
            }
        }
    }
}
