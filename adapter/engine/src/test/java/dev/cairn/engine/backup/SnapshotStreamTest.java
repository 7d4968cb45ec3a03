package dev.cairn.engine.backup;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.CairnException;
import dev.cairn.api.InvalidStreamException;
import dev.cairn.api.WriteConflictException;
import dev.cairn.engine.Store;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.Txn;
import dev.cairn.engine.object.ValueInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Snapshots sent as streams and received: against a model of what each
 * snapshot held, byte for byte through the store's API; and every kind of
 * damage to a stream refused with the receiving store exactly as it was.
 */
class SnapshotStreamTest {

    private static final StoreConfig CFG = StoreConfig.defaults().sizeBytes(256L << 20).cacheBytes(4L << 20);

    @TempDir
    Path dir;

    /** A value and its media type, as the model keeps them. */
    private record Obj(byte[] bytes, String type) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Obj x && java.util.Arrays.equals(bytes, x.bytes) && Objects.equals(type, x.type);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return bytes.length + " bytes" + (type == null ? "" : " of " + type);
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    /** Everything {@code s} holds now, read back through transactions. */
    private static TreeMap<String, Obj> contents(Store s) {
        TreeMap<String, Obj> m = new TreeMap<>();
        try (Txn t = s.begin()) {
            for (Map.Entry<byte[], ValueInfo> e : t.infos(null, null)) {
                m.put(new String(e.getKey(), UTF_8), new Obj(t.get(e.getKey()), e.getValue().contentType()));
            }
        }
        return m;
    }

    private static byte[] value(Random rnd) {
        int kind = rnd.nextInt(10);
        int n = kind < 5 ? rnd.nextInt(200) : kind < 8 ? 512 + rnd.nextInt(3000) : 16_000 + rnd.nextInt(150_000);
        byte[] v = new byte[n];
        rnd.nextBytes(v);
        return v;
    }

    /** One round of random changes, applied to the store and the model alike. */
    private static void round(Store s, TreeMap<String, Obj> model, Random rnd, int keys) {
        try (Txn t = s.begin()) {
            for (int i = 0; i < 30; i++) {
                String k = "k" + rnd.nextInt(keys);
                if (rnd.nextInt(8) == 0 && model.containsKey(k)) { // the same bytes under another media type
                    byte[] same = model.get(k).bytes();
                    String type = model.get(k).type() == null ? "text/plain" : null;
                    t.put(b(k), same, type);
                    model.put(k, new Obj(same, type));
                } else if (rnd.nextInt(5) == 0) {
                    t.delete(b(k));
                    model.remove(k);
                } else {
                    byte[] v = value(rnd);
                    String type = rnd.nextInt(3) == 0 ? "application/x-test; n=" + rnd.nextInt(3) : null;
                    t.put(b(k), v, type);
                    model.put(k, new Obj(v, type));
                }
            }
            t.commit();
        }
    }

    private boolean noTemporaryFile(String target) throws IOException {
        try (var files = Files.list(dir)) {
            return files.noneMatch(f -> f.getFileName().toString().startsWith(target + ".receiving"));
        }
    }

    private static byte[] send(Store s, String name, String base) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotSender.send(s, name, base, out);
        return out.toByteArray();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3, 4})
    void everySnapshotArrivesExactlyFullThenIncrementally(int seed) throws IOException {
        Random rnd = new Random(seed);
        List<TreeMap<String, Obj>> snapshots = new ArrayList<>();
        List<byte[]> streams = new ArrayList<>();
        try (Store src = Store.create(dir.resolve("src.cairn"), CFG)) {
            TreeMap<String, Obj> model = new TreeMap<>();
            for (int r = 0; r < 6; r++) {
                round(src, model, rnd, 60);
                src.createSnapshot("s" + r);
                snapshots.add(new TreeMap<>(model));
                round(src, model, rnd, 60); // commits after the snapshot are not in it
                streams.add(send(src, "s" + r, r == 0 ? null : "s" + (r - 1)));
            }
        }
        Path dst = dir.resolve("dst.cairn");
        SnapshotReceiver.Received first = SnapshotReceiver.intoNewStore(new ByteArrayInputStream(streams.get(0)), dst, CFG);
        assertEquals(snapshots.get(0).size(), first.puts());
        assertTrue(noTemporaryFile("dst.cairn"), "the temporary file is gone");
        try (Store s = Store.open(dst, CFG)) {
            assertEquals(snapshots.get(0), contents(s), "after the full stream");
            for (int r = 1; r < streams.size(); r++) {
                TreeMap<String, Obj> before = snapshots.get(r - 1);
                TreeMap<String, Obj> after = snapshots.get(r);
                long changed = after.entrySet().stream().filter(e -> !e.getValue().equals(before.get(e.getKey()))).count();
                long gone = before.keySet().stream().filter(k -> !after.containsKey(k)).count();
                SnapshotReceiver.Received got = SnapshotReceiver.into(s, new ByteArrayInputStream(streams.get(r)));
                assertEquals(changed, got.puts(), "an incremental stream puts exactly the keys that changed, round " + r);
                assertEquals(gone, got.deletes(), "and deletes exactly the keys that went, round " + r);
                assertEquals(after, contents(s), "after incremental stream " + r);
                assertTrue(s.check().ok(), () -> s.check().toString());
            }
            assertEquals(List.of("s0", "s1", "s2", "s3", "s4", "s5"),
                    s.snapshots().stream().map(i -> i.name()).toList(), "the receiver holds each snapshot it received");
        }
    }

    /** A store whose snapshot "a" holds a few keys, one of them a value of several data frames, and "b" a change. */
    private Store sourceWithTwoSnapshots() {
        Store src = Store.create(dir.resolve("src.cairn"), CFG);
        Random rnd = new Random(9);
        try (Txn t = src.begin()) {
            byte[] big = new byte[200_000];
            rnd.nextBytes(big);
            t.put(b("big"), big, "image/png");
            t.put(b("small"), b("hello"));
            t.put(b("gone"), b("soon"));
            t.commit();
        }
        src.createSnapshot("a");
        try (Txn t = src.begin()) {
            t.put(b("small"), b("hello again"));
            t.delete(b("gone"));
            t.put(b("new"), new byte[5000]);
            t.commit();
        }
        src.createSnapshot("b");
        return src;
    }

    /** Snapshot "a" of {@link #sourceWithTwoSnapshots} whole, and "b" as the changes since "a". */
    private byte[][] twoStreams() throws IOException {
        try (Store src = sourceWithTwoSnapshots()) {
            return new byte[][] {send(src, "a", null), send(src, "b", "a")};
        }
    }

    /** What to do at a point of a stream being read. */
    private interface Action {
        void run() throws IOException;
    }

    /** {@code bytes} as a stream that runs {@code action} once, when a read would pass byte {@code at}. */
    private static InputStream actingAt(byte[] bytes, int at, Action action) {
        return new FilterInputStream(new ByteArrayInputStream(bytes)) {
            private int read;
            private boolean done;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (!done && read + len >= at) {
                    done = true;
                    action.run();
                }
                int n = super.read(b, off, len);
                read += Math.max(n, 0);
                return n;
            }
        };
    }

    /** Frame boundaries of a stream: the offsets where each frame starts, and the stream's length last. */
    private static List<Integer> frameStarts(byte[] stream) {
        List<Integer> starts = new ArrayList<>();
        int at = 0;
        while (at < stream.length) {
            starts.add(at);
            at += 13 + ByteBuffer.wrap(stream, at + 1, 4).getInt();
        }
        starts.add(stream.length);
        return starts;
    }

    @Test
    void aDamagedOrTruncatedFullStreamLeavesNoStoreBehind() throws IOException {
        byte[] stream;
        try (Store src = sourceWithTwoSnapshots()) {
            stream = send(src, "a", null);
        }
        List<Integer> starts = frameStarts(stream);
        assertTrue(starts.size() > 6, "header, three puts, several data frames, the end");
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < starts.size() - 1; i++) {
            int s = starts.get(i);
            positions.add(s);            // the type
            positions.add(s + 2);        // the length
            positions.add(s + 5);        // the payload's first byte
            positions.add(starts.get(i + 1) - 9); // the payload's last byte
            positions.add(starts.get(i + 1) - 1); // the hash
        }
        int n = 0;
        for (int pos : positions) {
            byte[] bad = stream.clone();
            bad[pos] ^= 0x20;
            Path target = dir.resolve("flip" + (n++) + ".cairn");
            InvalidStreamException e = assertThrows(InvalidStreamException.class,
                    () -> SnapshotReceiver.intoNewStore(new ByteArrayInputStream(bad), target, CFG), "a flipped bit at " + pos);
            assertTrue(e.getMessage().contains("corrupt") || e.getMessage().contains("truncated")
                    || e.getMessage().contains("not a Cairn"), e.getMessage());
            assertFalse(Files.exists(target), "no store from a bad stream, bit at " + pos);
            assertTrue(noTemporaryFile(target.getFileName().toString()));
        }
        Random rnd = new Random(3);
        List<Integer> cuts = new ArrayList<>(starts.subList(0, starts.size() - 1));
        for (int i = 0; i < 30; i++) {
            cuts.add(rnd.nextInt(stream.length));
        }
        for (int cut : cuts) {
            Path target = dir.resolve("cut" + cut + ".cairn");
            InvalidStreamException e = assertThrows(InvalidStreamException.class, () -> SnapshotReceiver.intoNewStore(
                    new ByteArrayInputStream(stream, 0, cut), target, CFG), "cut at " + cut);
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            assertFalse(Files.exists(target), "no store from a truncated stream, cut at " + cut);
        }
        byte[] longer = java.util.Arrays.copyOf(stream, stream.length + 1);
        assertThrows(InvalidStreamException.class,
                () -> SnapshotReceiver.intoNewStore(new ByteArrayInputStream(longer), dir.resolve("long.cairn"), CFG));
        assertFalse(Files.exists(dir.resolve("long.cairn")));
        // The undamaged stream is received.
        SnapshotReceiver.intoNewStore(new ByteArrayInputStream(stream), dir.resolve("good.cairn"), CFG);
        try (Store s = Store.open(dir.resolve("good.cairn"), CFG)) {
            assertEquals(List.of("big", "gone", "small"), List.copyOf(contents(s).keySet()));
        }
    }

    @Test
    void aDamagedIncrementalStreamLeavesTheReceiverAsItWas() throws IOException {
        byte[][] streams = twoStreams();
        byte[] full = streams[0];
        byte[] incr = streams[1];
        Path dst = dir.resolve("dst.cairn");
        SnapshotReceiver.intoNewStore(new ByteArrayInputStream(full), dst, CFG);
        try (Store s = Store.open(dst, CFG)) {
            TreeMap<String, Obj> base = contents(s);
            List<Integer> starts = frameStarts(incr);
            for (int i = 0; i < starts.size() - 1; i++) {
                for (int pos : new int[] {starts.get(i), starts.get(i) + 5, starts.get(i + 1) - 1}) {
                    byte[] bad = incr.clone();
                    bad[pos] ^= 0x01;
                    assertThrows(InvalidStreamException.class, () -> SnapshotReceiver.into(s, new ByteArrayInputStream(bad)),
                            "a flipped bit at " + pos);
                    assertEquals(base, contents(s), "the receiver is unchanged, bit at " + pos);
                }
                int cut = starts.get(i) + 3;
                assertThrows(InvalidStreamException.class, () -> SnapshotReceiver.into(s, new ByteArrayInputStream(incr, 0, cut)));
                assertEquals(base, contents(s), "the receiver is unchanged, cut at " + cut);
            }
            assertEquals(List.of("a"), s.snapshots().stream().map(x -> x.name()).toList(), "no snapshot from a refused stream");
            SnapshotReceiver.into(s, new ByteArrayInputStream(incr));
            assertEquals(List.of("big", "new", "small"), List.copyOf(contents(s).keySet()));
            assertArrayEquals(b("hello again"), contents(s).get("small").bytes());
        }
    }

    @Test
    void anIncrementalStreamIsRefusedByAStoreThatDoesNotHoldItsBase() throws IOException {
        byte[][] streams = twoStreams();
        byte[] full = streams[0];
        byte[] incr = streams[1];
        try (Store empty = Store.create(dir.resolve("empty.cairn"), CFG)) {
            CairnException e = assertThrows(InvalidStreamException.class, () -> SnapshotReceiver.into(empty, new ByteArrayInputStream(incr)));
            assertTrue(e.getMessage().contains("base"), e.getMessage());
            assertTrue(contents(empty).isEmpty());
        }
        Path dst = dir.resolve("dst.cairn");
        SnapshotReceiver.intoNewStore(new ByteArrayInputStream(full), dst, CFG);
        try (Store s = Store.open(dst, CFG)) {
            try (Txn t = s.begin()) {
                t.put(b("local"), b("a change made on the receiver"));
                t.commit();
            }
            TreeMap<String, Obj> changed = contents(s);
            CairnException e = assertThrows(InvalidStreamException.class, () -> SnapshotReceiver.into(s, new ByteArrayInputStream(incr)));
            assertTrue(e.getMessage().contains("changed since"), e.getMessage());
            assertEquals(changed, contents(s));
            // A full stream goes only into an empty store.
            assertThrows(InvalidStreamException.class, () -> SnapshotReceiver.into(s, new ByteArrayInputStream(full)));
            assertEquals(changed, contents(s));
        }
        assertThrows(InvalidStreamException.class,
                () -> SnapshotReceiver.intoNewStore(new ByteArrayInputStream(incr), dir.resolve("new.cairn"), CFG));
        assertFalse(Files.exists(dir.resolve("new.cairn")));
        assertThrows(IllegalArgumentException.class,
                () -> SnapshotReceiver.intoNewStore(new ByteArrayInputStream(full), dst, CFG), "the target exists");
    }

    @Test
    void aCommitToTheReceiverDuringAReceiveMakesTheReceiveConflict() throws IOException {
        byte[][] streams = twoStreams();
        byte[] full = streams[0];
        byte[] incr = streams[1];
        Path dst = dir.resolve("dst.cairn");
        SnapshotReceiver.intoNewStore(new ByteArrayInputStream(full), dst, CFG);
        try (Store s = Store.open(dst, CFG)) {
            InputStream meddling = actingAt(incr, incr.length / 2, () -> {
                try (Txn t = s.begin()) { // another writer, halfway through the stream
                    t.put(b("small"), b("written meanwhile"));
                    t.commit();
                }
            });
            assertThrows(WriteConflictException.class, () -> SnapshotReceiver.into(s, meddling));
            assertArrayEquals(b("written meanwhile"), contents(s).get("small").bytes(), "the other commit stands");
            assertTrue(contents(s).containsKey("gone"), "and nothing of the stream was applied");
        }
        // A key no one had, created meanwhile, conflicts as well: the receive read the whole key range.
        Path dst2 = dir.resolve("dst2.cairn");
        SnapshotReceiver.intoNewStore(new ByteArrayInputStream(full), dst2, CFG);
        try (Store s = Store.open(dst2, CFG)) {
            InputStream meddling = actingAt(incr, 0, () -> {
                try (Txn t = s.begin()) {
                    t.put(b("zzz-brand-new"), b("meanwhile"));
                    t.commit();
                }
            });
            assertThrows(WriteConflictException.class, () -> SnapshotReceiver.into(s, meddling));
            assertTrue(contents(s).containsKey("gone") && contents(s).containsKey("zzz-brand-new"));
        }
    }

    @Test
    void aReceiveThatFailsMidwayLeavesNoStoreAndALeftoverIsCleared() throws IOException {
        byte[] full;
        try (Store src = sourceWithTwoSnapshots()) {
            full = send(src, "b", null);
        }
        Path target = dir.resolve("t.cairn");
        InputStream failing = actingAt(full, full.length / 2, () -> {
            throw new IOException("the connection dropped");
        });
        InvalidStreamException e = assertThrows(InvalidStreamException.class, () -> SnapshotReceiver.intoNewStore(failing, target, CFG));
        assertTrue(e.getMessage().contains("the connection dropped"), e.getMessage());
        assertFalse(Files.exists(target));
        assertTrue(noTemporaryFile("t.cairn"), "a failed receive removes its temporary file");
        // A crash would leave its temporary file; it does not stand in the next receive's way.
        Files.write(target.resolveSibling("t.cairn.receiving-0"), b("left by a crash"));
        SnapshotReceiver.intoNewStore(new ByteArrayInputStream(full), target, CFG);
        try (Store s = Store.open(target, CFG)) {
            assertEquals(List.of("big", "new", "small"), List.copyOf(contents(s).keySet()));
            assertEquals("image/png", contents(s).get("big").type());
        }
    }

    @Test
    void aSendRunsWhileCommitsGoOn() throws Exception {
        try (Store src = sourceWithTwoSnapshots()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            // The stream's writer commits to the source between frames: the snapshot sent is unmoved.
            java.io.OutputStream committing = new java.io.OutputStream() {
                private int writes;

                @Override
                public void write(int b) {
                    out.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    if (++writes % 3 == 0) {
                        try (Txn t = src.begin()) {
                            t.put(b("busy" + writes), b("x"));
                            t.delete(b("small"));
                            t.commit();
                        }
                    }
                    out.write(b, off, len);
                }
            };
            SnapshotSender.send(src, "a", null, committing);
            SnapshotReceiver.intoNewStore(new ByteArrayInputStream(out.toByteArray()), dir.resolve("r.cairn"), CFG);
        }
        try (Store r = Store.open(dir.resolve("r.cairn"), CFG)) {
            assertEquals(List.of("big", "gone", "small"), List.copyOf(contents(r).keySet()));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
