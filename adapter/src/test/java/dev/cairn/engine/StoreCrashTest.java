package dev.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions of puts, overwrites and deletes, small and large values,
 * committed against a real file with every write and force recorded; then
 * every crash state ({@link CrashImages}) is mounted: every transaction whose
 * sync completed is wholly there, every later one wholly absent, the tree
 * reads back exactly the model of that commit, and nothing is leaked.
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
        List<long[]> acknowledged = new ArrayList<>();
        Random rnd = new Random(17);
        int firstEvent;
        try (Store s = Store.create(dir.resolve("s.cairn"), cfg)) {
            firstEvent = rec.get().eventCount();
            TreeMap<String, byte[]> model = new TreeMap<>();
            states.put(s.generation(), new TreeMap<>(model));
            for (int c = 0; c < 70; c++) {
                commitRandom(s, model, rnd);
                states.put(s.generation(), new TreeMap<>(model));
                acknowledged.add(new long[] {rec.get().eventCount(), s.generation()});
            }
        }
        int[] resumed = {0};
        int explored = CrashImages.explore(rec.get().events(), firstEvent, SIZE, acknowledged, 5,
                (image, expected, where, index) -> {
                    StoreConfig mem = cfg.channelOpener((p, o) -> new MemoryChannel(image));
                    try (Store s = Store.open(dir.resolve("image"), mem)) {
                        assertEquals(expected, s.generation(), where);
                        TreeMap<String, byte[]> model = states.get(expected);
                        assertHolds(s, model, where);
                        CheckReport r = s.check();
                        assertTrue(r.ok(), where + ": " + r);
                        if (index % 41 == 0) {
                            TreeMap<String, byte[]> more = new TreeMap<>(model);
                            Random r2 = new Random(index);
                            commitRandom(s, more, r2);
                            commitRandom(s, more, r2);
                            assertHolds(s, more, where + ", after more commits");
                            assertTrue(s.check().ok(), where + ", after more commits: " + s.check());
                            resumed[0]++;
                        }
                    } catch (RuntimeException e) {
                        throw new AssertionError(where + ": " + e, e);
                    }
                });
        System.out.printf("transactional crash exploration: 70 commits, %d crash states explored, %d resumed%n",
                explored, resumed[0]);
        assertTrue(explored > 1000, "explored " + explored);
    }

    private static void commitRandom(Store s, TreeMap<String, byte[]> model, Random rnd) {
        try (Txn t = s.begin()) {
            TreeMap<String, byte[]> next = new TreeMap<>(model);
            int ops = 1 + rnd.nextInt(8);
            for (int i = 0; i < ops; i++) {
                String key = "key-" + rnd.nextInt(60);
                if (rnd.nextInt(4) == 0) {
                    t.delete(key.getBytes(StandardCharsets.UTF_8));
                    next.remove(key);
                } else {
                    byte[] v = new byte[rnd.nextInt(6) == 0 ? 1000 + rnd.nextInt(40000) : rnd.nextInt(300)];
                    rnd.nextBytes(v);
                    t.put(key.getBytes(StandardCharsets.UTF_8), v);
                    next.put(key, v);
                }
            }
            t.commit();
            model.clear();
            model.putAll(next);
        }
    }

    private static void assertHolds(Store s, TreeMap<String, byte[]> model, String where) {
        try (Txn t = s.begin()) {
            List<String> keys = new ArrayList<>();
            for (Map.Entry<byte[], byte[]> e : t.scan(null, null)) {
                String k = new String(e.getKey(), StandardCharsets.UTF_8);
                keys.add(k);
                assertArrayEquals(model.get(k), e.getValue(), where + ": value of " + k);
            }
            assertEquals(new ArrayList<>(model.keySet()), keys, where);
            assertEquals(model.size(), s.stats().keys(), where + ": key count");
        }
    }
}
