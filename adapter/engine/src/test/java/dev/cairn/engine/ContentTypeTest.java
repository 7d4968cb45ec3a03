package dev.cairn.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.InvalidContentTypeException;
import dev.cairn.engine.object.ObjectLayout;
import dev.cairn.engine.object.ValueInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Media types kept with values: through commits, restarts, prepared
 * transactions and replacements, on both sides of the inline limit (which
 * a type shortens), and never mixed up with the value's bytes.
 */
class ContentTypeTest {

    @TempDir
    Path dir;

    private static final StoreConfig CFG = StoreConfig.defaults().sizeBytes(64L << 20).cacheBytes(4L << 20);
    private static final String JSON = "application/json; charset=utf-8";

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private static byte[] random(int n, int seed) {
        byte[] v = new byte[n];
        new Random(seed).nextBytes(v);
        return v;
    }

    /** Every user key's size and media type, as a fresh transaction sees them. */
    private static Map<String, ValueInfo> infos(Store s) {
        Map<String, ValueInfo> out = new TreeMap<>();
        try (Txn t = s.begin()) {
            t.infos(null, null).forEach(e -> out.put(new String(e.getKey(), UTF_8), e.getValue()));
        }
        return out;
    }

    private static byte[] read(Store s, String key) throws IOException {
        try (Txn t = s.begin(); InputStream in = t.getStream(b(key))) {
            return in == null ? null : in.readAllBytes();
        }
    }

    @Test
    void aTypeStaysWithItsValueAcrossARestartOnBothSidesOfTheInlineLimit() throws IOException {
        Path file = dir.resolve("s.cairn");
        int limit = ObjectLayout.maxInline(JSON);
        Map<String, byte[]> values = new TreeMap<>();
        values.put("tiny", b("{}"));
        values.put("at-limit", random(limit, 1));
        values.put("past-limit", random(limit + 1, 2)); // inline untyped, but not with its type
        values.put("untyped-limit", random(ObjectLayout.MAX_INLINE, 3));
        values.put("large", random(3 * ObjectLayout.CHUNK + 77, 4));
        values.put("streamed", random(2 * ObjectLayout.CHUNK + 5, 5));
        values.put("empty", new byte[0]);
        try (Store s = Store.create(file, CFG)) {
            try (Txn t = s.begin()) {
                t.put(b("tiny"), values.get("tiny"), JSON);
                t.put(b("at-limit"), values.get("at-limit"), JSON);
                t.put(b("past-limit"), values.get("past-limit"), JSON);
                t.put(b("untyped-limit"), values.get("untyped-limit"));
                t.put(b("large"), values.get("large"), "image/png");
                t.putStream(b("streamed"), new ByteArrayInputStream(values.get("streamed")), "video/mp4");
                t.put(b("empty"), values.get("empty"), "text/plain");
                // The transaction sees its own types before commit.
                assertEquals(new ValueInfo(limit + 1, JSON), ownInfo(t, "past-limit"));
                assertEquals(new ValueInfo(2 * ObjectLayout.CHUNK + 5, "video/mp4"), ownInfo(t, "streamed"));
                t.commit();
            }
        }
        try (Store s = Store.open(file, CFG)) {
            Map<String, ValueInfo> infos = infos(s);
            assertEquals(new ValueInfo(2, JSON), infos.get("tiny"));
            assertEquals(new ValueInfo(limit, JSON), infos.get("at-limit"));
            assertEquals(new ValueInfo(limit + 1, JSON), infos.get("past-limit"));
            assertEquals(new ValueInfo(ObjectLayout.MAX_INLINE, null), infos.get("untyped-limit"));
            assertEquals(new ValueInfo(3 * ObjectLayout.CHUNK + 77, "image/png"), infos.get("large"));
            assertEquals(new ValueInfo(2 * ObjectLayout.CHUNK + 5, "video/mp4"), infos.get("streamed"));
            assertEquals(new ValueInfo(0, "text/plain"), infos.get("empty"));
            for (Map.Entry<String, byte[]> e : values.entrySet()) {
                assertArrayEquals(e.getValue(), read(s, e.getKey()), e.getKey());
                try (Txn t = s.begin()) {
                    assertArrayEquals(e.getValue(), t.get(b(e.getKey())), e.getKey());
                }
            }
            assertTrue(s.check().ok(), () -> s.check().toString());
        }
    }

    private static ValueInfo ownInfo(Txn t, String key) {
        byte[] k = b(key);
        ValueInfo out = null;
        for (Map.Entry<byte[], ValueInfo> e : t.infos(k, Arrays.copyOf(k, k.length + 1))) {
            out = e.getValue();
        }
        return out;
    }

    @Test
    void theTagNamesTheBytesNotTheType() {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            byte[] small = b("same bytes");
            byte[] large = random(ObjectLayout.CHUNK + 1, 6);
            try (Txn t = s.begin()) {
                t.put(b("a"), small, "text/plain");
                t.put(b("b"), small);
                t.put(b("c"), large, "application/x-big");
                t.commit();
            }
            try (Txn t = s.begin()) {
                assertEquals(t.etag(b("a")), t.etag(b("b")));
                assertEquals(ObjectLayout.inlineEtag(small, 0, small.length), t.etag(b("a")));
            }
        }
    }

    @Test
    void aReplacementTakesItsOwnTypeOrNone() throws IOException {
        Path file = dir.resolve("s.cairn");
        try (Store s = Store.create(file, CFG)) {
            try (Txn t = s.begin()) {
                t.put(b("k"), b("one"), "text/plain");
                t.put(b("big"), random(ObjectLayout.CHUNK * 2, 7), "application/x-a");
                t.commit();
            }
            try (Txn t = s.begin()) {
                t.put(b("k"), b("two"));
                t.put(b("big"), random(ObjectLayout.CHUNK * 2, 8), "application/x-b");
                t.commit();
            }
            assertEquals(new ValueInfo(3, null), infos(s).get("k"));
            assertEquals("application/x-b", infos(s).get("big").contentType());
            try (Txn t = s.begin()) {
                t.put(b("k"), b("three"), "text/csv");
                t.delete(b("big"));
                t.commit();
            }
        }
        try (Store s = Store.open(file, CFG)) {
            assertEquals(Map.of("k", new ValueInfo(5, "text/csv")), infos(s));
            assertArrayEquals(b("three"), read(s, "k"));
            assertTrue(s.check().ok(), () -> s.check().toString());
        }
    }

    @Test
    void aPreparedTransactionKeepsItsTypesAcrossARestart() throws IOException {
        Path file = dir.resolve("s.cairn");
        byte[] streamed = random(2 * ObjectLayout.CHUNK + 9, 9);
        try (Store s = Store.create(file, CFG)) {
            try (Txn t = s.begin()) {
                t.put(b("gone"), b("x"));
                t.commit();
            }
            try (Txn t = s.begin()) {
                t.put(b("p-small"), b("prepared"), "text/plain");
                t.putStream(b("p-large"), new ByteArrayInputStream(streamed), "application/x-stream");
                t.put(b("p-plain"), b("no type"));
                t.delete(b("gone"));
                t.prepare(b("xid-1"));
            }
            try (Txn t = s.begin()) {
                t.put(b("r-small"), b("dropped"), "text/plain");
                t.prepare(b("xid-2"));
            }
        }
        try (Store s = Store.open(file, CFG)) {
            assertEquals(2, s.recover().size());
            s.commitPrepared(b("xid-1"));
            s.rollbackPrepared(b("xid-2"));
            assertEquals(Map.of("p-small", new ValueInfo(8, "text/plain"),
                    "p-large", new ValueInfo(streamed.length, "application/x-stream"),
                    "p-plain", new ValueInfo(7, null)), infos(s));
            assertArrayEquals(streamed, read(s, "p-large"));
            assertTrue(s.check().ok(), () -> s.check().toString());
        }
    }

    @Test
    void aBadTypeIsRefusedAndNothingOfTheWriteIsKept() throws IOException {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            try (Txn t = s.begin()) {
                t.put(b("k"), b("kept"), "text/plain");
                t.commit();
            }
            try (Txn t = s.begin()) {
                InvalidContentTypeException e = assertThrows(InvalidContentTypeException.class,
                        () -> t.put(b("k"), b("new"), "text/plain\r\nX-Evil: 1"));
                assertTrue(e.getMessage().contains("U+000D"), e.getMessage());
                InputStream big = new ByteArrayInputStream(random(ObjectLayout.CHUNK * 3, 10));
                assertThrows(InvalidContentTypeException.class, () -> t.putStream(b("k2"), big, "no-slash"));
                assertEquals(ObjectLayout.CHUNK * 3, big.available(), "the stream was not read");
                t.put(b("other"), b("ok"));
                t.commit(); // the refused writes left the transaction usable
            }
            assertEquals(Map.of("k", new ValueInfo(4, "text/plain"), "other", new ValueInfo(2, null)), infos(s));
            assertArrayEquals(b("kept"), read(s, "k"));
            assertNull(read(s, "k2"));
        }
    }
}
