package dev.cairn.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.CairnException;
import dev.cairn.api.NoSuchSnapshotException;
import dev.cairn.engine.check.CheckReport;
import dev.cairn.engine.disk.ForwardingChannel;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots against models: random commits of small and large values, with
 * snapshots taken and deleted in random order; after every step each live
 * snapshot reads exactly the state it was taken at, the store reads its own,
 * and a full check finds nothing leaked and nothing that some version still
 * reaches freed. Reopens on the way; at the end, with every snapshot gone,
 * the space comes back.
 */
class SnapshotTest {

    @TempDir
    Path dir;

    private static final StoreConfig CFG = StoreConfig.defaults().sizeBytes(128L << 20).arenas(4).cacheBytes(4L << 20);

    @Test
    void snapshotsReadWhatTheyWereTakenAtAndDeletingThemFreesExactlyTheRest() {
        for (long seed = 1; seed <= 5; seed++) {
            run(seed);
        }
    }

    private void run(long seed) {
        Random rnd = new Random(seed);
        Path file = dir.resolve("snap-" + seed + ".cairn");
        TreeMap<String, byte[]> model = new TreeMap<>();
        Map<String, TreeMap<String, byte[]>> snaps = new TreeMap<>();
        Store s = Store.create(file, CFG);
        long usedEmpty = s.stats().usedBytes();
        int names = 0;
        try {
            for (int step = 0; step < 120; step++) {
                int what = rnd.nextInt(10);
                String where = "seed " + seed + " step " + step;
                if (what < 6 || what >= 8 && snaps.isEmpty()) {
                    commit(s, model, rnd);
                } else if (what < 8) {
                    String name = "s" + names++;
                    s.createSnapshot(name);
                    snaps.put(name, new TreeMap<>(model));
                } else {
                    List<String> live = new ArrayList<>(snaps.keySet());
                    String victim = live.get(rnd.nextInt(live.size()));
                    s.deleteSnapshot(victim);
                    snaps.remove(victim);
                }
                if (step % 30 == 29) {
                    s.close();
                    s = Store.open(file, CFG);
                }
                assertEquals(snaps.keySet().stream().toList(),
                        s.snapshots().stream().map(i -> i.name()).sorted().toList(), where);
                assertReads(s, null, model, where);
                for (Map.Entry<String, TreeMap<String, byte[]>> e : snaps.entrySet()) {
                    assertReads(s, e.getKey(), e.getValue(), where + " snapshot " + e.getKey());
                }
                CheckReport r = s.check();
                assertTrue(r.ok(), where + ": " + r);
            }
            for (String name : new ArrayList<>(snaps.keySet())) {
                s.deleteSnapshot(name);
            }
            try (Txn t = s.begin()) {
                for (String k : model.keySet()) {
                    t.delete(k.getBytes(UTF_8));
                }
                t.commit();
            }
            for (int i = 0; i < 3; i++) { // let the last frees come back
                try (Txn t = s.begin()) {
                    t.put("tick".getBytes(UTF_8), new byte[] {(byte) i});
                    t.commit();
                }
            }
            CheckReport r = s.check();
            assertTrue(r.ok(), "seed " + seed + " at the end: " + r);
            assertTrue(s.stats().usedBytes() < usedEmpty + 40 * 16384,
                    "seed " + seed + ": used " + s.stats().usedBytes() + " bytes once every snapshot is gone");
        } finally {
            s.close();
        }
    }

    private static void commit(Store s, TreeMap<String, byte[]> model, Random rnd) {
        try (Txn t = s.begin()) {
            int n = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 60 : 8);
            for (int i = 0; i < n; i++) {
                String k = "k" + rnd.nextInt(80);
                if (rnd.nextInt(4) == 0) {
                    t.delete(k.getBytes(UTF_8));
                    model.remove(k);
                } else {
                    byte[] v = new byte[rnd.nextInt(8) == 0 ? 17_000 + rnd.nextInt(40_000) : rnd.nextInt(200)];
                    rnd.nextBytes(v);
                    t.put(k.getBytes(UTF_8), v);
                    model.put(k, v);
                }
            }
            t.commit();
        }
    }

    private static void assertReads(Store s, String snapshot, TreeMap<String, byte[]> model, String where) {
        try (Txn t = snapshot == null ? s.begin() : s.beginAt(snapshot)) {
            List<String> keys = new ArrayList<>();
            for (Map.Entry<byte[], byte[]> e : t.scan(null, null)) {
                String k = new String(e.getKey(), UTF_8);
                keys.add(k);
                assertArrayEquals(model.get(k), e.getValue(), where + ": " + k);
            }
            assertEquals(new ArrayList<>(model.keySet()), keys, where);
        }
    }

    @Test
    void aSnapshotIsReadOnlyAndUnknownNamesAreRefused() {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            try (Txn t = s.begin()) {
                t.put("a".getBytes(UTF_8), "1".getBytes(UTF_8));
                t.commit();
            }
            s.createSnapshot("one");
            assertThrows(CairnException.class, () -> s.createSnapshot("one"));
            assertThrows(NoSuchSnapshotException.class, () -> s.beginAt("two"));
            assertThrows(NoSuchSnapshotException.class, () -> s.deleteSnapshot("two"));
            try (Txn t = s.beginAt("one")) {
                CairnException e = assertThrows(CairnException.class, () -> t.put("b".getBytes(UTF_8), new byte[1]));
                assertTrue(e.getMessage().contains("read-only"), e.getMessage());
                assertArrayEquals("1".getBytes(UTF_8), t.get("a".getBytes(UTF_8)));
            }
            assertEquals(1, s.stats().snapshots());
        }
    }

    /**
     * A snapshot becomes readable only once its creation is durable, as a
     * commit does: it takes the newest tree, whose commits may not be durable
     * yet, and a reader must not see what a crash could still take back. Its
     * deletion, likewise, counts for readers once durable. The list and the
     * figures say the same as {@code beginAt}. The sync is held in its force
     * while another thread asks.
     */
    @Test
    void aSnapshotIsReadableAndListedOnlyOnceItsCreationIsDurable() throws Exception {
        AtomicReference<CountDownLatch> forcing = new AtomicReference<>();
        AtomicReference<CountDownLatch> release = new AtomicReference<>();
        StoreConfig cfg = CFG.channelOpener((p, o) -> new ForwardingChannel(FileChannel.open(p, o)) {
            @Override
            public void force(boolean metaData) throws IOException {
                CountDownLatch f = forcing.getAndSet(null);
                if (f != null) {
                    f.countDown();
                    try {
                        release.get().await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                super.force(metaData);
            }
        });
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Store s = Store.create(dir.resolve("s.cairn"), cfg)) {
            try {
                byte[] k = "k".getBytes(UTF_8);
                try (Txn t = s.begin()) {
                    t.put(k, "1".getBytes(UTF_8));
                    t.commit();
                }
                CountDownLatch creating = new CountDownLatch(1);
                release.set(new CountDownLatch(1));
                forcing.set(creating);
                Future<?> created = pool.submit(() -> s.createSnapshot("snap"));
                assertTrue(creating.await(10, TimeUnit.SECONDS), "the creating sync reached its force");
                assertThrows(NoSuchSnapshotException.class, () -> s.beginAt("snap"),
                        "a snapshot whose creation is not durable is not there yet");
                assertEquals(List.of(), s.snapshots(), "nor is it listed");
                assertEquals(0, s.stats().snapshots());
                release.get().countDown();
                created.get(10, TimeUnit.SECONDS);
                try (Txn t = s.beginAt("snap")) {
                    assertArrayEquals("1".getBytes(UTF_8), t.get(k));
                }

                CountDownLatch deleting = new CountDownLatch(1);
                release.set(new CountDownLatch(1));
                forcing.set(deleting);
                Future<?> deleted = pool.submit(() -> s.deleteSnapshot("snap"));
                assertTrue(deleting.await(10, TimeUnit.SECONDS), "the deleting sync reached its force");
                try (Txn t = s.beginAt("snap")) { // its deletion is not durable: it is still there
                    assertArrayEquals("1".getBytes(UTF_8), t.get(k));
                }
                assertEquals(List.of("snap"), s.snapshots().stream().map(i -> i.name()).toList(), "and listed");
                assertEquals(1, s.stats().snapshots());
                release.get().countDown();
                deleted.get(10, TimeUnit.SECONDS);
                assertThrows(NoSuchSnapshotException.class, () -> s.beginAt("snap"));
                assertEquals(List.of(), s.snapshots());
                assertTrue(s.check().ok(), () -> s.check().toString());
            } finally {
                // A failed assertion must not leave a sync held in its force: closing the store waits for it.
                forcing.set(null);
                if (release.get() != null) {
                    release.get().countDown();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
