package dev.cairn.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.StoreFullException;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.work.Workers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A store filled until puts fail can always delete: removals (deletes,
 * snapshot deletes, rolling back a prepared branch) may use the arenas'
 * reserve, which puts may not, and what they free comes back, so puts work
 * again and the check is clean.
 */
class FullStoreTest {

    private static final StoreConfig CFG = StoreConfig.defaults().sizeBytes(32L << 20).cacheBytes(4L << 20);

    /**
     * Engine tasks that start 20 ms late, as on a busy WorkManager: a freed
     * block handed to its syncer for release then sits in the queue well
     * past the removal's return.
     */
    private static final ScheduledExecutorService LATE = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "late-worker");
        t.setDaemon(true);
        return t;
    });
    private static final Workers LATE_WORKERS = (name, task) -> LATE.schedule(task, 20, TimeUnit.MILLISECONDS);

    @TempDir
    Path dir;

    @AfterAll
    static void stopLateWorkers() {
        LATE.shutdownNow();
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private static byte[] value(int bytes, int seed) {
        byte[] v = new byte[bytes];
        Arrays.fill(v, (byte) seed);
        return v;
    }

    /**
     * Commits {@code perCommit} keys at a time until a commit fails for want
     * of space, then single keys of 100 bytes until one of those fails too
     * (as an HTTP client's small PUTs would); returns the keys committed.
     */
    private static List<String> fill(Store s, String prefix, int valueBytes, int perCommit) {
        List<String> keys = fillWith(s, prefix, valueBytes, perCommit);
        keys.addAll(fillWith(s, prefix + "-top", 100, 1));
        return keys;
    }

    private static List<String> fillWith(Store s, String prefix, int valueBytes, int perCommit) {
        List<String> keys = new ArrayList<>();
        for (int n = 0; ; n++) {
            List<String> batch = new ArrayList<>();
            try (Txn t = s.begin()) {
                for (int i = 0; i < perCommit; i++) {
                    String k = prefix + (n * perCommit + i);
                    t.put(b(k), value(valueBytes, n));
                    batch.add(k);
                }
                t.commit();
            } catch (StoreFullException e) {
                assertFalse(s.isReadOnly(), "a full store is not a broken one: " + s.readOnlyReason());
                return keys;
            }
            keys.addAll(batch);
        }
    }

    private static void deleteEachAlone(Store s, List<String> keys) {
        for (String k : keys) {
            try (Txn t = s.begin()) {
                assertTrue(t.delete(b(k)), k);
                t.commit();
            }
        }
    }

    /** Once everything is deleted, a fill takes as much as the first did, give or take a few commits or log blocks. */
    private static void assertSpaceCameBack(Store s, int valueBytes, int perCommit, List<String> first) {
        assertEquals(0, s.stats().keys());
        int firstFill = (int) first.stream().filter(k -> !k.contains("-top")).count();
        assertTrue(s.check().ok(), () -> s.check().toString());
        // Keys as long as the first fill's: values of up to 4 KiB share the leaves with their keys.
        int again = fillWith(s, "a", valueBytes, perCommit).size();
        // Give or take three commits, or four blocks an arena: an arena's
        // allocation log grows by up to three blocks before it compresses.
        long slack = Math.max(3L * perCommit * valueBytes, 4L * CFG.arenas() * BlockFormat.BLOCK_SIZE);
        assertTrue((long) (firstFill - again) * valueBytes <= slack, "after deleting everything the store took " + again
                + " keys, the first fill " + firstFill);
    }

    @ParameterizedTest(name = "values of {0} bytes, {1} a commit")
    @CsvSource({"1000, 20", "300000, 1"})
    void aFullStoreDeletesEveryKeyOneByOneAndTheSpaceComesBack(int valueBytes, int perCommit) {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            List<String> keys = fill(s, "k", valueBytes, perCommit);
            deleteEachAlone(s, keys);
            assertSpaceCameBack(s, valueBytes, perCommit, keys);
        }
    }

    @ParameterizedTest(name = "values of {0} bytes, {1} a commit")
    @CsvSource({"1000, 20", "300000, 1"})
    void aFullStoreDeletesEveryKeyInOneCommit(int valueBytes, int perCommit) {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            List<String> keys = fill(s, "k", valueBytes, perCommit);
            try (Txn t = s.begin()) {
                keys.forEach(k -> t.delete(b(k)));
                t.commit();
            }
            assertSpaceCameBack(s, valueBytes, perCommit, keys);
        }
    }

    /**
     * The room a removal made is there when it returns, whatever the
     * syncer tasks are doing: a large put right after it (whose blocks are
     * reserved before its commit, so no sync runs on its way) finds it.
     */
    @Test
    void theRoomARemovalMadeIsThereWhenItReturnsEvenWithTasksStartingLate() {
        StoreConfig late = CFG.workers(LATE_WORKERS);
        int big = 300_000;
        try (Store s = Store.create(dir.resolve("all.cairn"), late)) {
            List<String> keys = fillWith(s, "k", big, 1);
            try (Txn t = s.begin()) {
                keys.forEach(k -> t.delete(b(k)));
                t.commit();
            }
            assertTrue(fillWith(s, "again", big, 1).size() >= keys.size() - 3, "a put right after deleting everything");
        }
        try (Store s = Store.create(dir.resolve("snap.cairn"), late)) {
            List<String> keys = fillWith(s, "k", big, 1);
            deleteEachAlone(s, keys.subList(keys.size() / 2, keys.size()));
            s.createSnapshot("half"); // holds the first half when its keys go
            List<String> more = fillWith(s, "m", big, 1);
            deleteEachAlone(s, keys.subList(0, keys.size() / 2));
            deleteEachAlone(s, more);
            s.deleteSnapshot("half");
            assertTrue(fillWith(s, "again", big, 1).size() >= keys.size() - 3, "a put right after deleting the snapshot");
            assertTrue(s.check().ok(), () -> s.check().toString());
        }
    }

    /**
     * A snapshot holds the first half's blocks: deleting the keys frees
     * little, and only deleting the snapshot gives the space back. For
     * values in data blocks of their own the deletes rewrite only the small
     * tree above them, which the reserve covers.
     */
    @ParameterizedTest(name = "values of {0} bytes, {1} a commit")
    @CsvSource({"5000, 20", "300000, 1"})
    void aStoreFilledWithASnapshotHoldingHalfDeletesTheKeysThenTheSnapshot(int valueBytes, int perCommit) {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            List<String> all = fill(s, "k", valueBytes, perCommit);
            deleteEachAlone(s, all.subList(all.size() / 2, all.size()));
            s.createSnapshot("half");
            List<String> more = fill(s, "m", valueBytes, perCommit);
            deleteEachAlone(s, all.subList(0, all.size() / 2));
            deleteEachAlone(s, more);
            s.deleteSnapshot("half");
            assertSpaceCameBack(s, valueBytes, perCommit, all);
        }
    }

    /**
     * Values of up to 4 KiB live in the leaves, so a snapshot holding them
     * holds leaves, and deleting such keys writes new leaves while freeing
     * nothing: on a full store that can use up the reserve. Such a delete
     * fails as a full store's write does, naming the snapshot, and changes
     * nothing; the snapshot can still be deleted (deletes leave it part of
     * the reserve, also in a small store's few blocks), and then every
     * delete works and all the space comes back.
     */
    @ParameterizedTest(name = "a store of {0} MiB")
    @ValueSource(longs = {32, 16, 12})
    void deletingLeafValuesASnapshotHoldsOnAFullStoreNamesTheSnapshotAndWorksOnceItIsGone(long mib) {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG.sizeBytes(mib << 20))) {
            List<String> all = fill(s, "k", 1000, 20);
            deleteEachAlone(s, all.subList(all.size() / 2, all.size()));
            s.createSnapshot("half");
            List<String> more = fill(s, "m", 1000, 20);
            List<String> held = all.subList(0, all.size() / 2);
            int deleted = 0;
            StoreFullException refused = null;
            for (String k : held) {
                try (Txn t = s.begin()) {
                    t.delete(b(k));
                    t.commit();
                    deleted++;
                } catch (StoreFullException e) {
                    refused = e;
                    break;
                }
            }
            assertTrue(refused != null, "a full store whose snapshot holds half its leaves deleted all " + deleted);
            {
                assertTrue(refused.getMessage().contains("snapshot half holds what deletes would free"),
                        refused.getMessage());
                assertFalse(s.isReadOnly());
                try (Txn t = s.begin()) {
                    assertTrue(t.exists(b(held.get(deleted))), "the refused delete changed nothing");
                }
                assertTrue(s.check().ok(), () -> s.check().toString());
            }
            s.deleteSnapshot("half");
            deleteEachAlone(s, held.subList(deleted, held.size()));
            deleteEachAlone(s, more);
            assertSpaceCameBack(s, 1000, 20, all);
        }
    }

    /**
     * One commit deleting medium values spread over many leaves of a full
     * store: each leaf it changes is written anew before the old one is
     * freed, so past as many leaves as the reserve has blocks the commit is
     * refused, saying to delete fewer keys a commit, and changes nothing;
     * the same deletes five a commit all go through (this small store's
     * reserve has about forty blocks for deletes), and the space comes back.
     */
    @ParameterizedTest(name = "every {0}th key")
    @ValueSource(ints = {550, 275, 10})
    void aFullStoreDeletesMediumValuesSpreadOverItsLeavesAFewACommit(int every) {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            List<String> keys = fillWith(s, "k", 1000, 20);
            List<String> spread = new ArrayList<>();
            for (int i = 0; i < keys.size(); i += every) {
                spread.add(keys.get(i));
            }
            StoreFullException e = assertThrows(StoreFullException.class, () -> {
                try (Txn t = s.begin()) {
                    spread.forEach(k -> t.delete(b(k)));
                    t.commit();
                }
            });
            assertTrue(e.getMessage().contains("delete fewer keys a commit"), e.getMessage());
            assertFalse(s.isReadOnly());
            assertEquals(keys.size(), s.stats().keys(), "the refused commit deleted nothing");
            for (int from = 0; from < spread.size(); from += 5) {
                try (Txn t = s.begin()) {
                    spread.subList(from, Math.min(spread.size(), from + 5)).forEach(k -> t.delete(b(k)));
                    t.commit();
                }
            }
            try (Txn t = s.begin()) {
                for (int i = 0; i + 1 < keys.size(); i += every) {
                    assertFalse(t.exists(b(keys.get(i))), keys.get(i));
                    assertArrayEquals(value(1000, (i + 1) / 20), t.get(b(keys.get(i + 1))), keys.get(i + 1));
                }
            }
            assertEquals(keys.size() - spread.size(), s.stats().keys());
            assertTrue(s.check().ok(), () -> s.check().toString());
            List<String> rest = new ArrayList<>(keys);
            rest.removeAll(spread);
            deleteEachAlone(s, rest);
            assertSpaceCameBack(s, 1000, 20, keys);
        }
    }

    /**
     * A prepared branch deleting medium values spread over many leaves is
     * refused at its commit on a full store, as a user's commit would be;
     * what it wrote comes back before the refusal returns, so other deletes
     * a few a commit go through at once, and the branch can be rolled back.
     */
    @Test
    void aRefusedPreparedRemovalGivesBackWhatItWroteAtOnce() {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            List<String> filled = fillWith(s, "k", 1000, 20);
            deleteEachAlone(s, filled.subList(filled.size() - 40, filled.size())); // room for the prepared record
            List<String> keys = filled.subList(0, filled.size() - 40);
            List<String> spread = new ArrayList<>();
            List<String> others = new ArrayList<>();
            for (int i = 0; i + 137 < keys.size(); i += 275) {
                spread.add(keys.get(i));
                others.add(keys.get(i + 137));
            }
            try (Txn t = s.begin()) {
                spread.forEach(k -> t.delete(b(k)));
                t.prepare(b("xid-spread"));
            }
            int top = fillWith(s, "top", 1000, 1).size(); // full again
            StoreFullException e = assertThrows(StoreFullException.class, () -> s.commitPrepared(b("xid-spread")));
            assertTrue(e.getMessage().contains("delete fewer keys a commit"), e.getMessage());
            for (int from = 0; from < others.size(); from += 5) {
                try (Txn t = s.begin()) {
                    others.subList(from, Math.min(others.size(), from + 5)).forEach(k -> t.delete(b(k)));
                    t.commit();
                }
            }
            assertEquals(keys.size() + top - others.size(), s.stats().keys());
            s.rollbackPrepared(b("xid-spread")); // what frees in every case; a branch cannot delete fewer keys
            try (Txn t = s.begin()) {
                spread.forEach(k -> assertTrue(t.exists(b(k)), k));
            }
            assertTrue(s.check().ok(), () -> s.check().toString());
        }
    }

    @ParameterizedTest(name = "values of {0} bytes, {1} a commit")
    @CsvSource({"1000, 20", "300000, 1"})
    void aFullStoreRollsBackAPreparedBranch(int valueBytes, int perCommit) {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            try (Txn t = s.begin()) {
                t.put(b("prepared"), value(valueBytes, 7));
                t.prepare(b("xid-1"));
            }
            fill(s, "k", valueBytes, perCommit);
            s.rollbackPrepared(b("xid-1"));
            assertEquals(0, s.recover().size());
            try (Txn t = s.begin()) {
                assertFalse(t.exists(b("prepared")));
            }
        }
    }
}
