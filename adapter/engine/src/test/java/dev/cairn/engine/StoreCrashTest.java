package dev.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.WriteConflictException;
import dev.cairn.engine.check.CheckReport;
import dev.cairn.engine.disk.CrashImages;
import dev.cairn.engine.disk.MemoryChannel;
import dev.cairn.engine.disk.RecordingChannel;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions of puts, overwrites and deletes, small and large values,
 * some prepared (XA) and later committed or rolled back, run against a real
 * file with every write and force recorded; then every crash state
 * ({@link CrashImages}) is mounted: every transaction whose sync completed
 * is wholly there, every later one wholly absent, exactly the prepared ones
 * of that moment are listed, the tree reads back exactly the model, and
 * nothing is leaked.
 */
class StoreCrashTest {

    private static final long SIZE = 4L << 20;

    @TempDir
    Path dir;

    @Test
    void everyCommittedTransactionIsWhollyPresentAndEveryOtherWhollyAbsent() {
        AtomicReference<RecordingChannel> rec = new AtomicReference<>();
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(SIZE).arenas(2).cacheBytes(1 << 20)
                .channelOpener((p, o) -> {
                    rec.set(new RecordingChannel(FileChannel.open(p, o)));
                    return rec.get();
                });
        Map<Long, TreeMap<String, byte[]>> states = new HashMap<>();
        Map<Long, Set<String>> preparedAt = new HashMap<>();
        Map<Long, Map<String, TreeMap<String, byte[]>>> snapshotsAt = new HashMap<>();
        List<long[]> acknowledged = new ArrayList<>();
        Random rnd = new Random(17);
        int firstEvent;
        try (Store s = Store.create(dir.resolve("s.cairn"), cfg)) {
            firstEvent = rec.get().eventCount();
            TreeMap<String, byte[]> model = new TreeMap<>();
            Map<String, Map<String, byte[]>> pending = new HashMap<>();
            Map<String, TreeMap<String, byte[]>> snaps = new TreeMap<>();
            states.put(s.generation(), new TreeMap<>(model));
            preparedAt.put(s.generation(), Set.of());
            snapshotsAt.put(s.generation(), Map.of());
            long previous = s.generation();
            for (int c = 0; c < 70; c++) {
                int r = rnd.nextInt(12);
                if (r == 0) {
                    String name = "snap-" + c;
                    s.createSnapshot(name);
                    snaps.put(name, new TreeMap<>(model));
                } else if (r == 1 && !snaps.isEmpty()) {
                    String victim = snaps.keySet().iterator().next();
                    s.deleteSnapshot(victim);
                    snaps.remove(victim);
                } else if (!pending.isEmpty() && rnd.nextInt(3) == 0) {
                    String xid = pending.keySet().iterator().next();
                    if (rnd.nextBoolean()) {
                        s.commitPrepared(xid.getBytes(StandardCharsets.UTF_8));
                        applyDelta(model, pending.remove(xid));
                    } else {
                        s.rollbackPrepared(xid.getBytes(StandardCharsets.UTF_8));
                        pending.remove(xid);
                    }
                } else if (pending.isEmpty() && rnd.nextInt(5) == 0) {
                    String xid = "xid-" + c;
                    Map<String, byte[]> delta = writeRandom(s, rnd, xid);
                    if (delta != null) {
                        pending.put(xid, delta);
                    }
                } else {
                    applyDelta(model, writeRandom(s, rnd, null));
                }
                // Every generation the operation made holds its outcome: a snapshot
                // deletion syncs twice more after its own sync (its space comes back).
                for (long g = previous + 1; g <= s.generation(); g++) {
                    states.put(g, new TreeMap<>(model));
                    preparedAt.put(g, new TreeSet<>(pending.keySet()));
                    snapshotsAt.put(g, new TreeMap<>(snaps));
                }
                previous = s.generation();
                acknowledged.add(new long[] {rec.get().eventCount(), s.generation()});
            }
            // Closing syncs once more, changing nothing, so the newest superblock lists no block.
            long last = s.generation();
            states.put(last + 1, states.get(last));
            preparedAt.put(last + 1, preparedAt.get(last));
            snapshotsAt.put(last + 1, snapshotsAt.get(last));
        }
        int[] resumed = {0};
        int[] withPrepared = {0};
        int[] withSnapshots = {0};
        int[] incomplete = {0};
        int explored = CrashImages.explore(rec.get().events(), firstEvent, SIZE, acknowledged, 5,
                (image, newest, fallback, where, index) -> {
                    StoreConfig mem = cfg.channelOpener((p, o) -> new MemoryChannel(image));
                    try (Store s = Store.open(dir.resolve("image"), mem)) {
                        long expected = s.generation();
                        if (expected != newest) {
                            assertEquals(fallback, expected, where + ": mounted neither the newest superblock's"
                                    + " generation nor, it being incomplete, the one before");
                            incomplete[0]++;
                        }
                        TreeMap<String, byte[]> model = states.get(expected);
                        assertHolds(s, model, where);
                        Set<String> listed = new TreeSet<>();
                        s.recover().forEach(x -> listed.add(new String(x, StandardCharsets.UTF_8)));
                        assertEquals(preparedAt.get(expected), listed, where + ": prepared transactions");
                        withPrepared[0] += listed.isEmpty() ? 0 : 1;
                        Map<String, TreeMap<String, byte[]>> snaps = snapshotsAt.get(expected);
                        assertEquals(new ArrayList<>(snaps.keySet()),
                                s.snapshots().stream().map(i -> i.name()).sorted().toList(), where + ": snapshots");
                        for (Map.Entry<String, TreeMap<String, byte[]>> e : snaps.entrySet()) {
                            assertHoldsAt(s, e.getKey(), e.getValue(), where + ": snapshot " + e.getKey());
                        }
                        withSnapshots[0] += snaps.isEmpty() ? 0 : 1;
                        CheckReport r = s.check();
                        assertTrue(r.ok(), where + ": " + r);
                        if (index % 41 == 0) {
                            TreeMap<String, byte[]> more = new TreeMap<>(model);
                            Random r2 = new Random(index);
                            for (String xid : preparedAt.get(expected)) {
                                s.rollbackPrepared(xid.getBytes(StandardCharsets.UTF_8));
                            }
                            applyDelta(more, writeRandom(s, r2, null));
                            applyDelta(more, writeRandom(s, r2, null));
                            assertHolds(s, more, where + ", after more commits");
                            assertTrue(s.check().ok(), where + ", after more commits: " + s.check());
                            resumed[0]++;
                        }
                    } catch (RuntimeException e) {
                        throw new AssertionError(where + ": " + e, e);
                    }
                });
        System.out.printf("transactional crash exploration: 70 commits, prepares and snapshots, %d crash states explored"
                + " (%d with a prepared transaction in doubt, %d with snapshots, %d with the newest superblock's"
                + " generation incomplete), %d resumed%n",
                explored, withPrepared[0], withSnapshots[0], incomplete[0], resumed[0]);
        assertTrue(incomplete[0] > 0, "no crash state had an incomplete newest generation");
        assertTrue(withPrepared[0] > 100, "states with a prepared transaction: " + withPrepared[0]);
        assertTrue(withSnapshots[0] > 100, "states with a snapshot: " + withSnapshots[0]);
        assertTrue(explored > 1000, "explored " + explored);
    }

    /**
     * A transaction of random writes, committed, or prepared under {@code xid}.
     *
     * @return its writes (null values are deletes), or null when it lost a
     *         write conflict (with a prepared transaction's keys) and wrote nothing
     */
    private static Map<String, byte[]> writeRandom(Store s, Random rnd, String xid) {
        try (Txn t = s.begin()) {
            Map<String, byte[]> delta = new HashMap<>();
            int ops = 1 + rnd.nextInt(8);
            for (int i = 0; i < ops; i++) {
                String key = "key-" + rnd.nextInt(60);
                if (rnd.nextInt(4) == 0) {
                    t.delete(key.getBytes(StandardCharsets.UTF_8));
                    delta.put(key, null);
                } else {
                    int r = rnd.nextInt(6); // small, medium (in the leaves, up to 4 KiB) or large
                    byte[] v = new byte[r == 0 ? 5000 + rnd.nextInt(40000) : r == 1 ? 512 + rnd.nextInt(3585) : rnd.nextInt(300)];
                    rnd.nextBytes(v);
                    t.put(key.getBytes(StandardCharsets.UTF_8), v);
                    delta.put(key, v);
                }
            }
            if (xid == null) {
                t.commit();
            } else {
                t.prepare(xid.getBytes(StandardCharsets.UTF_8));
            }
            return delta;
        } catch (WriteConflictException e) {
            return null;
        }
    }

    private static void applyDelta(Map<String, byte[]> model, Map<String, byte[]> delta) {
        if (delta != null) {
            delta.forEach((k, v) -> {
                if (v == null) {
                    model.remove(k);
                } else {
                    model.put(k, v);
                }
            });
        }
    }

    private static void assertHoldsAt(Store s, String snapshot, TreeMap<String, byte[]> model, String where) {
        try (Txn t = s.beginAt(snapshot)) {
            assertReads(t, model, where);
        }
    }

    /** Every entry {@code t} sees, and nothing else, is in {@code model} with the same bytes. */
    private static void assertReads(Txn t, TreeMap<String, byte[]> model, String where) {
        List<String> keys = new ArrayList<>();
        for (Map.Entry<byte[], byte[]> e : t.scan(null, null)) {
            String k = new String(e.getKey(), StandardCharsets.UTF_8);
            keys.add(k);
            assertArrayEquals(model.get(k), e.getValue(), where + ": value of " + k);
        }
        assertEquals(new ArrayList<>(model.keySet()), keys, where);
    }

    private static void assertHolds(Store s, TreeMap<String, byte[]> model, String where) {
        try (Txn t = s.begin()) {
            assertReads(t, model, where);
            assertEquals(model.size(), s.stats().keys(), where + ": key count");
        }
    }
}
