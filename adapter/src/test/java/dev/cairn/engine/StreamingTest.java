package dev.cairn.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
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
        } catch (java.security.NoSuchAlgorithmException e) {
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
            try (Txn t = s.begin()) {
                t.putStream(b("v"), generated(5_000_000, 1));
                assertArrayEquals(digest(generated(5_000_000, 1)), digest(t.getStream(b("v"))), "own streamed write");
                t.rollback();
            }
            assertEquals(used, s.stats().usedBytes());
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
}
