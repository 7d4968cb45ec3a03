package dev.cairn.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.api.CairnException;
import dev.cairn.api.StoreFullException;
import dev.cairn.engine.check.CheckReport;
import dev.cairn.engine.disk.CrashImages;
import dev.cairn.engine.disk.MemoryChannel;
import dev.cairn.engine.disk.RecordingChannel;
import dev.cairn.engine.object.ChangeRecords;
import dev.cairn.engine.object.ChangeRecords.Change;
import java.io.ByteArrayInputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The change log: a record of every committed put and delete while a
 * subscription exists, numbered in commit order, durable with its commit,
 * trimmed once every subscription acknowledged it, surviving a restart
 * and a crash at every write and force.
 */
class ChangeLogTest {

    private static final StoreConfig CFG = StoreConfig.defaults().sizeBytes(64L << 20).cacheBytes(4L << 20);

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    /** "put k 3" or "delete k": a change as the tests compare them. */
    private static String text(Change c) {
        String key = new String(c.key(), UTF_8);
        return c.kind() == 1 ? "put " + key + " " + c.size() : "delete " + key;
    }

    private static List<String> all(Store s, long after) {
        List<String> out = new ArrayList<>();
        for (Change c : s.changes().read(after, Integer.MAX_VALUE)) {
            out.add(c.number() + " " + text(c));
        }
        return out;
    }

    private static void put(Store s, String... kvs) {
        try (Txn t = s.begin()) {
            for (int i = 0; i < kvs.length; i += 2) {
                if (kvs[i + 1] == null) {
                    t.delete(b(kvs[i]));
                } else {
                    t.put(b(kvs[i]), b(kvs[i + 1]));
                }
            }
            t.commit();
        }
    }

    @Test
    void withoutASubscriptionNothingIsRecorded() {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            put(s, "a", "1", "b", "2");
            assertEquals(List.of(), all(s, 0));
            assertEquals(0, s.changes().newest());
            assertEquals(0, s.changes().subscribe("late"), "a subscription starts at the newest change: none");
            assertEquals(List.of(), all(s, 0), "changes before it are not recorded for it");
        }
    }

    @Test
    void everyPutAndDeleteOfEveryCommitPathIsRecordedInCommitOrder() {
        byte[] big = new byte[70_000];
        new Random(3).nextBytes(big);
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            put(s, "before", "x");
            assertEquals(0, s.changes().subscribe("sub"));
            put(s, "b", "22", "a", "1");
            put(s, "a", null, "gone", null);
            try (Txn t = s.begin()) {
                t.put(b("big"), big);
                t.putStream(b("streamed"), new ByteArrayInputStream(big), "application/octet-stream");
                t.put(b("typed"), b("{}"), "application/json");
                t.commit();
            }
            try (Txn t = s.begin()) {
                t.put(b("xa"), b("prepared"));
                t.prepare(b("x1"));
            }
            assertEquals(7, s.changes().newest(), "a prepare records nothing: it publishes nothing");
            try (Txn t = s.begin()) {
                t.put(b("rolled"), b("back"));
                t.prepare(b("x2"));
            }
            s.rollbackPrepared(b("x2"));
            s.commitPrepared(b("x1"));
            s.createSnapshot("snap"); // not a change of any key
            assertEquals(List.of("1 put a 1", "2 put b 2", "3 delete a", "4 delete gone", "5 put big 70000",
                    "6 put streamed 70000", "7 put typed 2", "8 put xa 8"), all(s, 0));
            assertEquals(List.of("7 put typed 2", "8 put xa 8"), all(s, 6));
            assertEquals(1, s.changes().read(0, 1).size());
            Change c = s.changes().read(4, 1).get(0);
            assertTrue(c.generation() > 0 && c.generation() <= s.generation(), "the commit's generation: " + c.generation());
            assertTrue(Math.abs(c.timeMillis() - System.currentTimeMillis()) < 60_000, "the commit's time");
            try (Txn t = s.begin()) {
                List<String> keys = new ArrayList<>();
                t.scan(null, null).forEach(e -> keys.add(new String(e.getKey(), UTF_8)));
                assertEquals(List.of("b", "before", "big", "streamed", "typed", "xa"), keys, "the log is not among the user's keys");
                assertEquals(6, s.stats().keys(), "nor counted as keys");
            }
            CheckReport r = s.check();
            assertTrue(r.ok(), r.toString());
        }
    }

    @Test
    void concurrentCommitsGetContiguousNumbersAndEachKeysLastRecordIsItsValue() throws Exception {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            s.changes().subscribe("sub");
            int threads = 4;
            int each = 150;
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> ts = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                int id = w;
                Thread t = new Thread(() -> {
                    try {
                        go.await();
                        for (int i = 0; i < each; i++) {
                            put(s, "k" + (i % 20), id + "-" + i);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                t.start();
                ts.add(t);
            }
            go.countDown();
            for (Thread t : ts) {
                t.join();
            }
            List<Change> log = s.changes().read(0, Integer.MAX_VALUE);
            assertEquals(threads * each, log.size(), "one record per committed put");
            Map<String, Long> lastSize = new HashMap<>();
            for (int i = 0; i < log.size(); i++) {
                assertEquals(i + 1, log.get(i).number());
                lastSize.put(new String(log.get(i).key(), UTF_8), log.get(i).size());
            }
            try (Txn t = s.begin()) {
                for (Map.Entry<String, Long> e : lastSize.entrySet()) {
                    assertEquals(e.getValue().longValue(), t.get(b(e.getKey())).length,
                            "the last record of " + e.getKey() + " is the committed value's");
                }
            }
        }
    }

    @Test
    void acknowledgedRecordsAreDeletedOnceEverySubscriptionHasThemAndPositionsSurviveARestart() {
        Path file = dir.resolve("s.cairn");
        try (Store s = Store.create(file, CFG)) {
            s.changes().subscribe("fast");
            s.changes().subscribe("slow");
            for (int i = 0; i < 6; i++) {
                put(s, "k" + i, "v" + i);
            }
            s.changes().acknowledge("fast", 5);
            assertEquals(6, s.changes().retained(), "slow still needs all six");
            s.changes().acknowledge("slow", 2);
            assertEquals(4, s.changes().retained());
            assertEquals(List.of("3 put k2 2", "4 put k3 2", "5 put k4 2", "6 put k5 2"), all(s, 0), "1 and 2 are gone");
            s.changes().acknowledge("slow", 1); // behind its position: nothing changes
            assertEquals(Map.of("fast", 5L, "slow", 2L), s.changes().subscriptions());
            assertThrows(CairnException.class, () -> s.changes().acknowledge("slow", 7), "past the newest change");
            assertThrows(CairnException.class, () -> s.changes().acknowledge("nobody", 1));
        }
        try (Store s = Store.open(file, CFG)) {
            assertEquals(Map.of("fast", 5L, "slow", 2L), s.changes().subscriptions());
            assertEquals(6, s.changes().newest());
            put(s, "after", "restart");
            assertEquals("7 put after 7", all(s, 6).get(0), "numbering goes on after a restart");
            s.changes().acknowledge("slow", 7);
            s.changes().acknowledge("fast", 7);
            assertEquals(0, s.changes().retained());
            assertEquals(List.of(), all(s, 0));
        }
        try (Store s = Store.open(file, CFG)) {
            assertEquals(7, s.changes().newest(), "with every record deleted, the positions keep the numbering");
            put(s, "z", "1");
            assertEquals(List.of("8 put z 1"), all(s, 7));
            assertTrue(s.changes().unsubscribe("slow"));
            assertEquals(1, s.changes().retained(), "fast has not acknowledged 8");
            assertTrue(s.changes().unsubscribe("fast"));
            assertFalse(s.changes().unsubscribe("fast"));
            assertEquals(List.of(), all(s, 0), "the last unsubscribe deletes every record");
            put(s, "untracked", "1");
            assertEquals(List.of(), all(s, 0));
            assertTrue(s.check().ok());
        }
        try (Store s = Store.open(file, CFG)) {
            assertEquals(8, s.changes().newest(), "with no subscription and no record left, the floor keeps the numbering");
            s.changes().subscribe("again");
            put(s, "y", "1");
            assertEquals(List.of("9 put y 1"), all(s, 8), "a position is never reused over the store's life");
        }
    }

    @Test
    void aStoreFullOfUnacknowledgedRecordsStillTakesTheAcknowledgementThatEmptiesIt() {
        StoreConfig small = StoreConfig.defaults().sizeBytes(32L << 20).cacheBytes(4L << 20);
        try (Store s = Store.create(dir.resolve("s.cairn"), small)) {
            s.changes().subscribe("sub");
            for (int bytes : new int[] {1000, 10, 0}) { // fill it to the last block, smaller writes last
                int per = bytes == 1000 ? 20 : 1;
                for (int n = 0; ; n++) {
                    try (Txn t = s.begin()) {
                        for (int i = 0; i < per; i++) {
                            t.put(b("k" + bytes + "/" + (n * per + i)), new byte[bytes]);
                        }
                        t.commit();
                    } catch (StoreFullException e) {
                        break;
                    }
                }
            }
            s.changes().acknowledge("sub", s.changes().newest());
            assertEquals(0, s.changes().retained());
            assertTrue(s.check().ok());
        }
    }

    @Test
    void aCommitsChangesShareOneRecordThatStaysUntilItsLastChangeIsAcknowledged() {
        Path file = dir.resolve("s.cairn");
        try (Store s = Store.create(file, CFG)) {
            s.changes().subscribe("sub");
            put(s, "a", "1", "b", "2", "c", "3");
            assertEquals(List.of("2 put b 1", "3 put c 1"), all(s, 1), "a read starts inside a record");
            assertEquals(List.of("2 put b 1"), s.changes().read(1, 1).stream().map(c -> c.number() + " " + text(c)).toList());
            s.changes().acknowledge("sub", 2);
            assertEquals(3, s.changes().retained(), "the record of 1..3 stays while 3 is unacknowledged");
            assertEquals(List.of("3 put c 1"), all(s, 2));
            s.changes().acknowledge("sub", 3);
            assertEquals(0, s.changes().retained());
            // A bulk commit's record is larger than a leaf holds: it is kept as a large value.
            try (Txn t = s.begin()) {
                for (int i = 0; i < 2000; i++) {
                    t.put(b("bulk/" + i), new byte[i % 50]);
                }
                t.commit();
            }
            List<Change> bulk = s.changes().read(3, Integer.MAX_VALUE);
            assertEquals(2000, bulk.size());
            assertEquals(List.of(1003L, 2003L), ChangeRecords.recordsBetween(
                    s.blocks, s.durable.root(), 3, 3000), "a record per 1000 changes of the commit");
            assertEquals(4, bulk.get(0).number());
            assertEquals(2003, bulk.get(1999).number());
            assertEquals(1999 % 50, bulk.get(1999).size());
            assertTrue(s.check().ok());
        }
        try (Store s = Store.open(file, CFG)) {
            assertEquals(2003, s.changes().newest(), "the newest number is the last record's key");
            assertEquals(1000, s.changes().read(1003, Integer.MAX_VALUE).size());
            s.changes().acknowledge("sub", 2003);
            assertEquals(0, s.changes().retained());
            assertTrue(s.check().ok(), "the large record's blocks went with it");
        }
    }

    @Test
    void aWaitingSubscriberWakesWhenACommitIsDurable() throws Exception {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            s.changes().subscribe("sub");
            CountDownLatch waiting = new CountDownLatch(1);
            AtomicReference<Long> wokeAfterMillis = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    waiting.countDown();
                    long t0 = System.nanoTime();
                    s.changes().awaitAfter(0, 60_000); // one wait: woken by the sync, or it times out
                    wokeAfterMillis.set((System.nanoTime() - t0) / 1_000_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            reader.start();
            waiting.await();
            Thread.sleep(50); // most likely inside its wait by now; if not, it finds the change at once
            put(s, "k", "v");
            reader.join(60_000);
            assertTrue(wokeAfterMillis.get() != null && wokeAfterMillis.get() < 30_000,
                    "woken by the commit's sync, not by the timeout: " + wokeAfterMillis.get() + " ms");
            assertEquals(List.of("1 put k 1"), all(s, 0));
        }
    }

    @Test
    void subscriptionNamesAreChecked() {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            assertThrows(IllegalArgumentException.class, () -> s.changes().subscribe(""));
            assertThrows(IllegalArgumentException.class, () -> s.changes().subscribe("n".repeat(201)));
        }
    }

    /**
     * Crashed before every write and force of: a subscription, three
     * commits, an acknowledgement, a fourth commit. Every image holds a
     * prefix of the commits, and its log says exactly the changes of that
     * prefix after the subscription's position: none lost, none invented.
     */
    @Test
    void aCrashAnywhereLeavesTheLogExactlyTheDurableCommitsChanges() throws Exception {
        long size = 4L << 20;
        AtomicReference<RecordingChannel> rec = new AtomicReference<>();
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(size).arenas(2).cacheBytes(1 << 20)
                .channelOpener((p, o) -> {
                    rec.set(new RecordingChannel(FileChannel.open(p, o)));
                    return rec.get();
                });
        String[][] commits = {{"a", "1", "b", "2"}, {"a", null, "c", "333"}, {"b", "4444"}, {"c", null, "d", "5"}}; // each in key order, as a commit records them
        List<String> expected = new ArrayList<>(); // change n at index n-1
        List<Map<String, String>> contents = new ArrayList<>(); // after 0..4 commits
        Map<String, String> model = new HashMap<>();
        contents.add(Map.copyOf(model));
        List<long[]> acknowledged = CrashImages.newAcknowledgedList();
        int firstEvent;
        try (Store s = Store.create(dir.resolve("c.cairn"), cfg)) {
            firstEvent = rec.get().eventCount();
            s.changes().subscribe("sub");
            acknowledged.add(new long[] {rec.get().eventCount(), s.generation()});
            for (int i = 0; i < commits.length; i++) {
                put(s, commits[i]);
                for (int k = 0; k < commits[i].length; k += 2) {
                    String v = commits[i][k + 1];
                    expected.add(v == null ? "delete " + commits[i][k] : "put " + commits[i][k] + " " + v.length());
                    if (v == null) {
                        model.remove(commits[i][k]);
                    } else {
                        model.put(commits[i][k], v);
                    }
                }
                contents.add(Map.copyOf(model));
                acknowledged.add(new long[] {rec.get().eventCount(), s.generation()});
                if (i == 2) {
                    s.changes().acknowledge("sub", 3);
                    acknowledged.add(new long[] {rec.get().eventCount(), s.generation()});
                }
            }
        }
        int[] changesAfter = {0, 2, 4, 5, 7}; // newest change number after 0..4 commits
        Map<String, Integer> seen = new HashMap<>();
        int states = CrashImages.explore(rec.get().events(), firstEvent, size, acknowledged, 3,
                (image, newest, fallback, where, index) -> {
                    try (Store s = Store.open(dir.resolve("image"), cfg.channelOpener((p, o) -> new MemoryChannel(image)))) {
                        Map<String, Long> subs = s.changes().subscriptions();
                        if (subs.isEmpty()) {
                            assertEquals(0, s.changes().newest(), where);
                            assertEquals(contents.get(0), read(s), where + ": no subscription, no commit");
                            seen.merge("before", 1, Integer::sum);
                            return;
                        }
                        long last = s.changes().newest();
                        int done = -1;
                        for (int i = 0; i < changesAfter.length; i++) {
                            if (changesAfter[i] == last) {
                                done = i;
                            }
                        }
                        if (done < 0) {
                            fail(where + ": newest change " + last + " ends no commit");
                        }
                        assertEquals(contents.get(done), read(s), where + ": the contents of " + done + " commits");
                        long position = subs.get("sub");
                        assertTrue(position == 0 || (position == 3 && done >= 3), where + ": position " + position);
                        List<String> log = new ArrayList<>();
                        s.changes().read(position, Integer.MAX_VALUE).forEach(c -> log.add(text(c)));
                        assertEquals(expected.subList((int) position, (int) last), log, where + ": the log after " + position);
                        CheckReport r = s.check();
                        assertTrue(r.ok(), where + ": " + r);
                        seen.merge(done + "/" + position, 1, Integer::sum);
                    } catch (RuntimeException e) {
                        throw new AssertionError(where + ": " + e, e);
                    }
                });
        assertTrue(states > 50, states + " crash states");
        assertTrue(seen.containsKey("before") && seen.containsKey("2/0") && seen.containsKey("3/3") && seen.containsKey("4/3"),
                "crashes all through: " + seen);
        System.out.println("change log crash states: " + states + " " + seen);
    }

    private static Map<String, String> read(Store s) {
        Map<String, String> out = new HashMap<>();
        try (Txn t = s.begin()) {
            t.scan(null, null).forEach(e -> out.put(new String(e.getKey(), UTF_8), new String(e.getValue(), UTF_8)));
        }
        return out;
    }
}
