package dev.cairn.engine.backup;

import dev.cairn.api.InvalidStreamException;
import dev.cairn.engine.Receiving;
import dev.cairn.engine.Store;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.Txn;
import java.io.IOException;
import java.io.InputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Receives a snapshot stream, verifying every frame as it is read, and
 * applies nothing unless the whole stream verifies:
 * <ul>
 * <li>{@link #intoNewStore}: a full stream becomes a new store file. It is
 * built beside the target under {@code <target>.receiving-<random>} in
 * commits of a bounded size, checked against the stream's digest, closed,
 * and only then linked in as the target, never replacing one (and the
 * directory forced): a crash or a bad stream leaves no target file (a
 * crash leaves the temporary one, to be deleted).
 * <li>{@link #into}: an incremental stream (or a full one, into an empty
 * store) is applied to an open store in one transaction, committed only
 * after the end frame verified and the result's digest matched the
 * sender's. The store must hold exactly the stream's base: its content
 * digest must equal the base's (a store changed since, or a different
 * base, is refused). A commit to the store meanwhile makes the receive
 * fail with a write conflict, the store unchanged.
 * </ul>
 * Either way the received store then holds a snapshot of the stream's name,
 * the base for the next incremental stream, taken in the same durable step
 * as the contents (a stream whose name the store already holds is refused).
 * A receiving transaction is not bound by {@code maxTransactionBytes}: it
 * holds the stream's keys and small values in memory until it commits.
 */
public final class SnapshotReceiver {

    /** What a receive applied. */
    public record Received(String snapshot, String base, long puts, long deletes) {
    }

    /** Records a new store's receive commits at most; its values stream to disk meanwhile. */
    private static final int RECORDS_PER_COMMIT = 10_000;
    /**
     * And at most this many bytes of values: below the point where a
     * transaction puts medium values in data blocks instead of the leaves
     * ({@code Txn.spills}), so a restored store keeps them as densely as the
     * one sent (10,000 values of 4000 bytes in one commit took half again
     * the space).
     */
    private static final long VALUE_BYTES_PER_COMMIT = 8L << 20;

    private SnapshotReceiver() {
    }

    /**
     * Receives a full stream into a new store at {@code target}, created
     * with {@code config}.
     *
     * @throws InvalidStreamException when the stream is not a full stream, or is truncated or corrupt
     * @throws IllegalArgumentException when {@code target} exists
     */
    public static Received intoNewStore(InputStream in, Path target, StoreConfig config) throws IOException {
        if (Files.exists(target)) {
            throw new IllegalArgumentException("the target " + target + " exists: a full stream is received into a new file only");
        }
        // Its own name, so two receives to one target never share it; a crash leaves it behind.
        Path temp = target.resolveSibling(target.getFileName() + ".receiving-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        Received r;
        try {
            try (Store s = Store.create(temp, config)) {
                StreamFormat.Reader frames = new StreamFormat.Reader(in);
                Header h = header(frames);
                if (h.incremental()) {
                    throw new InvalidStreamException("the stream is incremental (changes since snapshot \"" + h.base()
                            + "\"): a new store can only receive a full stream");
                }
                Apply a = new Apply(frames, s::begin, RECORDS_PER_COMMIT, VALUE_BYTES_PER_COMMIT);
                a.run();
                try (Txn t = s.begin()) {
                    a.checkDigests(Digest.EMPTY, Digest.of(t, h.version()));
                }
                s.createSnapshot(h.name());
                r = new Received(h.name(), null, a.puts, a.deletes);
            }
            publish(temp, target);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Path dir = target.toAbsolutePath().getParent();
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true); // the rename itself survives a power loss
        }
        return r;
    }

    /** Puts the finished store at {@code target} in one step that never replaces a file another put there meanwhile. */
    private static void publish(Path temp, Path target) throws IOException {
        try {
            Files.createLink(target, temp); // fails if the target exists; a rename would replace it
        } catch (UnsupportedOperationException e) {
            if (Files.exists(target)) {
                throw new FileAlreadyExistsException(target.toString(), null, "appeared while the stream was received");
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        Files.delete(temp);
    }

    /**
     * Receives a stream into {@code store}, which must hold exactly the
     * stream's base (nothing, for a full stream), in one transaction.
     *
     * @throws InvalidStreamException when the stream is truncated, corrupt, or not for this store
     */
    public static Received into(Store store, InputStream in) {
        Receiving receiving = store.receiving(); // a standby takes these writes, and only these
        Txn t = receiving.begin(); // before the first byte is read: a promotion while it is read refuses the stream
        try {
            StreamFormat.Reader frames = new StreamFormat.Reader(in);
            Header h = header(frames);
            long before = Digest.of(t, h.version()); // every key read: a commit meanwhile conflicts
            Apply a = new Apply(frames, () -> t, Long.MAX_VALUE, Long.MAX_VALUE);
            a.run();
            a.checkDigests(before, Digest.of(t, h.version()));
            receiving.commit(t, h.name()); // the contents and their snapshot in one durable step
            return new Received(h.name(), h.incremental() ? h.base() : null, a.puts, a.deletes);
        } finally {
            t.close(); // rolls back unless committed: a refused stream changes nothing
        }
    }

    private record Header(String name, String base, boolean incremental, int version) {
    }

    private static Header header(StreamFormat.Reader frames) {
        StreamFormat.Frame f = frames.next();
        try {
            ByteBuffer b = f.buffer();
            byte[] magic = new byte[StreamFormat.MAGIC.length];
            if (f.type() != StreamFormat.HEADER || b.remaining() < magic.length + 2) {
                throw new InvalidStreamException("not a Cairn snapshot stream: it does not begin with a header frame");
            }
            b.get(magic);
            if (!Arrays.equals(magic, StreamFormat.MAGIC)) {
                throw new InvalidStreamException("not a Cairn snapshot stream: its header lacks the magic CAIRNSTR");
            }
            int version = b.get() & 0xFF;
            if (version < StreamFormat.OLDEST_VERSION || version > StreamFormat.VERSION) {
                throw new InvalidStreamException("the stream is of format version " + version + "; this Cairn reads versions "
                        + StreamFormat.OLDEST_VERSION + " to " + StreamFormat.VERSION);
            }
            byte kind = b.get();
            if (kind != StreamFormat.KIND_FULL && kind != StreamFormat.KIND_INCREMENTAL) {
                throw new InvalidStreamException("the stream's header names an unknown kind " + kind);
            }
            String name = StreamFormat.getString(b);
            String base = StreamFormat.getString(b);
            return new Header(name, base, kind == StreamFormat.KIND_INCREMENTAL, version);
        } catch (BufferUnderflowException e) {
            throw new InvalidStreamException("the stream's header frame is cut short", e);
        }
    }

    /** Applies the records after the header, up to and including the end frame. */
    private static final class Apply {
        private final StreamFormat.Reader frames;
        private final Supplier<Txn> begin;
        private final long perCommit;
        private final long bytesPerCommit;
        long puts;
        long deletes;
        private long endPuts = -1;
        private long endDeletes;
        private long endBase;
        private long endDigest;

        Apply(StreamFormat.Reader frames, Supplier<Txn> begin, long perCommit, long bytesPerCommit) {
            this.frames = frames;
            this.begin = begin;
            this.perCommit = perCommit;
            this.bytesPerCommit = bytesPerCommit;
        }

        void run() {
            Txn t = begin.get();
            long inTxn = 0;
            long bytesInTxn = 0;
            try {
                StreamFormat.Frame f = frames.next();
                while (f.type() != StreamFormat.END) {
                    ByteBuffer b = f.buffer();
                    try {
                        if (f.type() == StreamFormat.PUT) {
                            byte[] key = StreamFormat.getBytes(b);
                            int typeLength = b.getShort(b.position()) & 0xFFFF;
                            String type = null;
                            if (typeLength == StreamFormat.NO_TYPE) {
                                b.getShort();
                            } else {
                                type = StreamFormat.getString(b);
                            }
                            long length = b.getLong();
                            long got = t.putStream(key, new ValueFrames(frames, length, f.offset()), type);
                            if (got != length) {
                                throw new InvalidStreamException("the put at byte " + f.offset() + " carries " + got
                                        + " bytes where its frame says " + length);
                            }
                            puts++;
                            bytesInTxn += got;
                        } else if (f.type() == StreamFormat.DELETE) {
                            t.delete(StreamFormat.getBytes(b));
                            deletes++;
                        } else {
                            throw new InvalidStreamException("the stream is corrupt: a frame of type " + f.type()
                                    + " at byte " + f.offset() + " where a put, a delete or the end belongs");
                        }
                    } catch (BufferUnderflowException e) {
                        throw new InvalidStreamException("the stream is corrupt: the frame at byte " + f.offset()
                                + " is cut short", e);
                    }
                    if (++inTxn >= perCommit || bytesInTxn >= bytesPerCommit) {
                        t.commit();
                        t.close();
                        t = begin.get();
                        inTxn = 0;
                        bytesInTxn = 0;
                    }
                    f = frames.next();
                }
                ByteBuffer e = f.buffer();
                if (e.remaining() != 32) {
                    throw new InvalidStreamException("the stream's end frame is malformed");
                }
                endPuts = e.getLong();
                endDeletes = e.getLong();
                endBase = e.getLong();
                endDigest = e.getLong();
                frames.expectEnd();
                if (endPuts != puts || endDeletes != deletes) {
                    throw new InvalidStreamException("the stream's end frame counts " + endPuts + " puts and " + endDeletes
                            + " deletes; the stream held " + puts + " and " + deletes);
                }
                if (perCommit != Long.MAX_VALUE) {
                    t.commit();
                }
            } finally {
                if (perCommit != Long.MAX_VALUE) {
                    t.close();
                }
            }
        }

        /** Throws unless the store held the stream's base before and holds the sent snapshot now. */
        void checkDigests(long before, long after) {
            if (before != endBase) {
                throw new InvalidStreamException(endBase == Digest.EMPTY
                        ? "the stream is full, and this store is not empty: a full stream is received into an empty or new store"
                        : "this store does not hold the stream's base as it was sent (it changed since, or never"
                                + " received that snapshot); nothing was applied");
            }
            if (after != endDigest) {
                throw new InvalidStreamException("the received contents do not match the snapshot sent (digest "
                        + Long.toHexString(after) + ", sent " + Long.toHexString(endDigest) + "); nothing was applied");
            }
        }
    }

    /** A value's bytes from the data frames after its put frame. */
    private static final class ValueFrames extends InputStream {
        private final StreamFormat.Reader frames;
        private final long putOffset;
        private long left;
        private byte[] data = new byte[0];
        private int at;

        ValueFrames(StreamFormat.Reader frames, long length, long putOffset) {
            this.frames = frames;
            this.left = length;
            this.putOffset = putOffset;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (at == data.length) {
                if (left == 0) {
                    return -1;
                }
                StreamFormat.Frame f = frames.next();
                if (f.type() != StreamFormat.DATA || f.payload().length == 0 || f.payload().length > left) {
                    throw new InvalidStreamException("the stream is corrupt: the value of the put at byte " + putOffset
                            + " is cut short or overlong at byte " + f.offset());
                }
                data = f.payload();
                at = 0;
                left -= data.length;
            }
            int n = Math.min(len, data.length - at);
            System.arraycopy(data, at, b, off, n);
            at += n;
            return n;
        }
    }
}
