package dev.cairn.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.TxnClosedException;
import dev.cairn.api.WriteConflictException;
import dev.cairn.engine.disk.RecordingChannel;
import dev.cairn.engine.object.ObjectLayout;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large values as streams. The test JVM has a 256 MiB heap (see the pom): a
 * 512 MiB value written with putStream and read with getStream proves that
 * neither holds the value in memory.
 */
class StreamingTest {

    @TempDir
    Path dir;

    private static final StoreConfig CFG = StoreConfig.defaults().sizeBytes(2L << 30).cacheBytes(8L << 20);

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    /** A deterministic stream of {@code length} pseudo-random bytes. */
    private static InputStream generated(long length, long seed) {
        return new InputStream() {
            private final Random rnd = new Random(seed);
            private final byte[] block = new byte[8192];
            private long pos;
            private int at = block.length;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= length) {
                    return -1;
                }
                if (at == block.length) {
                    rnd.nextBytes(block);
                    at = 0;
                }
                int n = (int) Math.min(Math.min(len, block.length - at), length - pos);
                System.arraycopy(block, at, b, off, n);
                at += n;
                pos += n;
                return n;
            }
        };
    }

    private static byte[] digest(InputStream in) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aValueTwiceTheHeapGoesInAndComesOutAsAStream() throws IOException {
        long size = 512L << 20;
        Path file = dir.resolve("s.cairn");
        try (Store s = Store.create(file, CFG)) {
            try (Txn t = s.begin()) {
                assertEquals(size, t.putStream(b("huge"), generated(size, 7)));
                t.commit();
            }
        }
        try (Store s = Store.open(file, CFG); Txn t = s.begin()) {
            assertArrayEquals(digest(generated(size, 7)), digest(t.getStream(b("huge"))));
            assertTrue(s.check().ok(), () -> s.check().toString());
        }
    }

    @Test
    void aRolledBackStreamGivesItsSpaceBackAndAnUncommittedOneLeaksNothingAcrossACrash() throws IOException {
        Path file = dir.resolve("s.cairn");
        long used;
        try (Store s = Store.create(file, CFG)) {
            used = s.stats().usedBytes();
            long free = s.stats().freeBytes(); // a reserved block is neither used nor free
            try (Txn t = s.begin()) {
                t.putStream(b("v"), generated(5_000_000, 1));
                assertArrayEquals(digest(generated(5_000_000, 1)), digest(t.getStream(b("v"))), "own streamed write");
                t.rollback();
            }
            assertEquals(used, s.stats().usedBytes());
            // Given back through the syncers, behind any write of them they still
            // hold (see BlockStore.unreserve): the next barrier has passed them all.
            s.sync();
            assertEquals(free, s.stats().freeBytes(), "the rollback gave every reserved block back");
            Txn open = s.begin();
            open.putStream(b("w"), generated(3_000_000, 2));
            // The process dies here: the transaction never commits.
        }
        try (Store s = Store.open(file, CFG)) {
            assertEquals(used, s.stats().usedBytes(), "reserved blocks were never allocated on disk");
            assertTrue(s.check().ok(), () -> s.check().toString());
            try (Txn t = s.begin()) {
                assertNull(t.get(b("w")));
            }
        }
    }

    @Test
    void aStreamedValueInAPreparedTransactionSurvivesARestart() throws IOException {
        Path file = dir.resolve("s.cairn");
        try (Store s = Store.create(file, CFG)) {
            try (Txn t = s.begin()) {
                t.putStream(b("a"), generated(1_000_000, 3));
                t.putStream(b("b"), generated(2_000_000, 4));
                t.put(b("c"), b("small"));
                t.prepare(b("xid-s"));
            }
        }
        try (Store s = Store.open(file, CFG)) {
            assertTrue(s.check().ok(), () -> s.check().toString());
            assertEquals(1, s.recover().size());
            s.commitPrepared(b("xid-s"));
            try (Txn t = s.begin()) {
                assertArrayEquals(digest(generated(1_000_000, 3)), digest(t.getStream(b("a"))));
                assertArrayEquals(digest(generated(2_000_000, 4)), digest(t.getStream(b("b"))));
                assertArrayEquals(b("small"), t.get(b("c")));
            }
            long used = s.stats().usedBytes();
            try (Txn t = s.begin()) {
                t.putStream(b("d"), generated(4_000_000, 5));
                t.prepare(b("xid-r"));
            }
            s.rollbackPrepared(b("xid-r"));
            for (int i = 0; i < 3; i++) {
                try (Txn t = s.begin()) {
                    t.put(b("tick"), b("" + i));
                    t.commit();
                }
            }
            assertTrue(s.stats().usedBytes() < used + 8 * 16384, "the rolled-back stream's space came back");
            assertTrue(s.check().ok(), () -> s.check().toString());
        }
    }

    @Test
    void aLargePutKeepsItsOwnCopyAndARollbackGivesItsSpaceBack() throws IOException {
        Path file = dir.resolve("s.cairn");
        byte[] first = new byte[1 << 20];
        byte[] second = new byte[3 * ObjectLayout.CHUNK + 5]; // a short last chunk
        new Random(11).nextBytes(first);
        new Random(12).nextBytes(second);
        byte[] secondAsPut = second.clone();
        long used;
        try (Store s = Store.create(file, CFG)) {
            used = s.stats().usedBytes();
            long free = s.stats().freeBytes(); // a reserved block is neither used nor free
            try (Txn t = s.begin()) {
                t.put(b("v"), first);
                t.put(b("v"), second); // the first value's blocks go back now
                second[0]++; // put copied it: the caller's array is the caller's again
                assertArrayEquals(secondAsPut, t.get(b("v")));
                t.rollback();
            }
            assertEquals(used, s.stats().usedBytes(), "a rolled-back large put leaves no block behind");
            s.sync(); // reserved blocks come back through the syncers (see BlockStore.unreserve)
            assertEquals(free, s.stats().freeBytes(), "and no block reserved");
            try (Txn t = s.begin()) {
                t.put(b("v"), first);
                t.put(b("w"), secondAsPut);
                t.commit();
            }
        }
        try (Store s = Store.open(file, CFG); Txn t = s.begin()) {
            assertArrayEquals(first, t.get(b("v")));
            assertArrayEquals(secondAsPut, t.get(b("w")));
            assertTrue(s.check().ok(), () -> s.check().toString());
        }
    }

    /**
     * A stream is readable only while its transaction is: after the
     * transaction ends, its pin no longer keeps the value's blocks from
     * reuse, and a block found in the cache is not checked against its hash,
     * so a late read must fail rather than risk another block's bytes. This
     * holds for a committed large value, the transaction's own streamed
     * value, its own small value, and a stream half read.
     */
    @Test
    void aStreamReadAfterItsTransactionEndsFailsWithAClearError() throws IOException {
        Path file = dir.resolve("s.cairn");
        byte[] big = new byte[3 * ObjectLayout.CHUNK];
        new Random(21).nextBytes(big);
        try (Store s = Store.create(file, CFG)) {
            try (Txn t = s.begin()) {
                t.put(b("big"), big);
                t.commit();
            }
            Txn reader = s.begin();
            InputStream committed = reader.getStream(b("big"));
            byte[] head = committed.readNBytes(ObjectLayout.CHUNK + 10); // into the second chunk
            assertArrayEquals(Arrays.copyOf(big, head.length), head);
            InputStream ownLarge;
            InputStream ownSmall;
            try (Txn writer = s.begin()) {
                writer.putStream(b("mine"), new ByteArrayInputStream(big));
                writer.put(b("small"), b("tiny"));
                ownLarge = writer.getStream(b("mine"));
                ownSmall = writer.getStream(b("small"));
                assertEquals(big[0] & 0xff, ownLarge.read());
                writer.rollback();
            }
            reader.close();
            for (InputStream late : List.of(committed, ownLarge, ownSmall)) {
                TxnClosedException e = assertThrows(TxnClosedException.class, () -> late.read(new byte[100], 0, 100));
                assertTrue(e.getMessage().contains("transaction is over"), e.getMessage());
                assertThrows(TxnClosedException.class, late::read);
            }
        }
    }

    /**
     * A value's chunks come from one arena, one after another, so a syncer can
     * write them as one long write; before, each chunk's index was its arena
     * hint and consecutive chunks landed in different arenas.
     */
    @Test
    void aLargeValuesChunksLieNextToEachOtherOnDisk() {
        AtomicReference<RecordingChannel> rec = new AtomicReference<>();
        StoreConfig cfg = CFG.channelOpener((p, o) -> {
            rec.set(new RecordingChannel(FileChannel.open(p, o)));
            return rec.get();
        });
        int chunks = 64;
        byte[] value = new byte[chunks * ObjectLayout.CHUNK];
        new Random(13).nextBytes(value);
        try (Store s = Store.create(dir.resolve("s.cairn"), cfg)) {
            for (String key : List.of("put", "stream")) {
                int from = rec.get().eventCount();
                try (Txn t = s.begin()) {
                    if (key.equals("put")) {
                        t.put(b(key), value);
                    } else {
                        t.putStream(b(key), new ByteArrayInputStream(value));
                    }
                    t.commit();
                }
                long[] at = chunkPositions(rec.get().events().subList(from, rec.get().eventCount()), value, chunks);
                for (int i = 1; i < chunks; i++) {
                    assertEquals(at[0] + (long) i * ObjectLayout.CHUNK, at[i],
                            key + ": chunk " + i + " is not next to chunk " + (i - 1));
                }
            }
        }
    }

    /** Where each chunk of {@code value} was written, from the recorded writes. */
    private static long[] chunkPositions(List<RecordingChannel.Event> events, byte[] value, int chunks) {
        int size = ObjectLayout.CHUNK;
        Map<ByteBuffer, Integer> index = new HashMap<>();
        for (int i = 0; i < chunks; i++) {
            index.put(ByteBuffer.wrap(value, i * size, size).slice(), i);
        }
        long[] at = new long[chunks];
        Arrays.fill(at, -1);
        for (RecordingChannel.Event e : events) {
            for (int off = 0; !e.isForce() && off + size <= e.bytes().length; off += size) {
                Integer i = index.get(ByteBuffer.wrap(e.bytes(), off, size).slice());
                if (i != null) {
                    at[i] = e.position() + off;
                }
            }
        }
        for (int i = 0; i < chunks; i++) {
            assertTrue(at[i] >= 0, "chunk " + i + " was never written");
        }
        return at;
    }

    /** One writer of {@link #concurrently}: its index, and how many commits it makes. */
    private interface Writer {
        void commit(int writer, int i) throws Exception;
    }

    /**
     * Runs {@code writers} threads, each making {@code commits} calls of
     * {@code w} (all stop at the first failure), and throws the first
     * failure once all have ended.
     */
    private static void concurrently(int writers, int commits, Writer w) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] ts = new Thread[writers];
        for (int t = 0; t < writers; t++) {
            int id = t;
            ts[t] = new Thread(() -> {
                try {
                    for (int i = 0; i < commits && failure.get() == null; i++) {
                        w.commit(id, i);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("a writer failed: " + failure.get(), failure.get());
        }
    }

    /** A distinct value for each of {@code n} writers, {@code base} bytes and more. */
    private static List<byte[]> values(int n, int base, int seed) {
        List<byte[]> values = new ArrayList<>();
        for (int w = 0; w < n; w++) {
            byte[] v = new byte[base + 1000 * w];
            new Random(seed + w).nextBytes(v);
            values.add(v);
        }
        return values;
    }

    /**
     * Writers streaming values into one key, each commit replacing the last:
     * a replaced value's blocks are freed and soon reserved by the next
     * writer. A transaction that has committed must not give back "its"
     * blocks when it ends: by then one may be reserved by another writer,
     * who would lose it (seen as "claim of block … that is not reserved",
     * and as two values sharing a block).
     */
    @Test
    void committedStreamedValuesAreNotGivenBackWhenTheirBlocksAreReservedAgain() throws Exception {
        try (Store s = Store.create(dir.resolve("s.cairn"), StoreConfig.defaults().sizeBytes(256L << 20).cacheBytes(8L << 20))) {
            List<byte[]> values = values(8, 64 * 1024, 0);
            concurrently(8, 150, (id, i) -> {
                try (Txn t = s.begin()) {
                    t.putStream(b("same"), new ByteArrayInputStream(values.get(id)));
                    t.commit();
                }
            });
            byte[] last;
            try (Txn t = s.begin()) {
                last = t.get(b("same"));
            }
            assertTrue(values.stream().anyMatch(v -> Arrays.equals(v, last)), "the key holds one writer's value whole");
            assertTrue(s.check().ok(), s.check().toString());
        }
    }

    /**
     * The same, across every path that claims a large value's blocks: a
     * streamed put, a large array put, an XA branch prepared then committed
     * or rolled back, and deletes, by eight writers on three shared keys.
     * Every commit succeeds or is refused whole, each key ends with one
     * written value whole (or none), no branch stays prepared, and the store
     * checks clean.
     */
    @Test
    void everyPathThatClaimsBlocksKeepsToItsOwnUnderConcurrentReplacement() throws Exception {
        try (Store s = Store.create(dir.resolve("s.cairn"), StoreConfig.defaults().sizeBytes(256L << 20).cacheBytes(8L << 20))) {
            List<byte[]> values = values(8, 40_000, 100);
            concurrently(8, 200, (id, i) -> {
                Random rnd = new Random(id * 1000L + i);
                byte[] key = b("k" + rnd.nextInt(3));
                byte[] v = values.get(id);
                int how = rnd.nextInt(5);
                try (Txn t = s.begin()) {
                    switch (how) {
                        case 0 -> t.putStream(key, new ByteArrayInputStream(v));
                        case 1 -> t.put(key, v);
                        case 2, 3 -> t.putStream(key, new ByteArrayInputStream(v), "application/octet-stream");
                        default -> t.delete(key);
                    }
                    if (how == 2 || how == 3) {
                        byte[] xid = b("x-" + id + "-" + i);
                        t.prepare(xid);
                        if (how == 2) {
                            s.commitPrepared(xid);
                        } else {
                            s.rollbackPrepared(xid);
                        }
                    } else {
                        t.commit();
                    }
                } catch (WriteConflictException e) {
                    // a key held by another writer's prepared branch: refused whole, as it must be
                }
            });
            try (Txn t = s.begin()) {
                for (int k = 0; k < 3; k++) {
                    byte[] got = t.get(b("k" + k));
                    assertTrue(got == null || values.stream().anyMatch(v -> Arrays.equals(v, got)), "k" + k + " holds a written value whole");
                }
            }
            assertEquals(0, s.recover().size(), "no branch left prepared");
            assertTrue(s.check().ok(), s.check().toString());
        }
    }
}
