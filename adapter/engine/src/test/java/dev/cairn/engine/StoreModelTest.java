package dev.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.engine.tree.Keys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded API against a sorted map: random transactions of puts,
 * overwrites and deletes, small and large values, some rolled back, with
 * point reads, exists, ranged scans (inside a transaction that has its own
 * writes, too) and reopens; many seeds, thousands of operations each.
 */
class StoreModelTest {

    @TempDir
    Path dir;

    private static final StoreConfig CFG = StoreConfig.defaults().sizeBytes(128L << 20).arenas(4).cacheBytes(4L << 20);

    @Test
    void manySeedsAgreeWithASortedMap() {
        int ops = 0;
        for (long seed = 1; seed <= 10; seed++) {
            ops += run(seed);
        }
        assertTrue(ops > 15_000, "operations: " + ops);
        assertTrue(largeCommits >= 10, "commits of 256 keys or more: " + largeCommits);
    }

    /** Commits whose write sets reached 256 keys, so that their old values were looked up on a worker. */
    private int largeCommits;

    private int run(long seed) {
        Random rnd = new Random(seed);
        Path file = dir.resolve("m-" + seed + ".cairn");
        TreeMap<byte[], byte[]> model = new TreeMap<>(Keys.ORDER);
        int ops = 0;
        Store s = Store.create(file, CFG);
        try {
            for (int txn = 0; txn < 120; txn++) {
                TreeMap<byte[], byte[]> mine = new TreeMap<>(model);
                boolean rollback = rnd.nextInt(8) == 0;
                Set<byte[]> written = new TreeSet<>(Keys.ORDER);
                try (Txn t = s.begin()) {
                    // Now and then a commit large enough to look its old values up on another thread.
                    int n = rnd.nextInt(25) == 0 ? 400 + rnd.nextInt(400) : 1 + rnd.nextInt(rnd.nextInt(5) == 0 ? 80 : 12);
                    for (int i = 0; i < n; i++, ops++) {
                        byte[] k = key(rnd);
                        switch (rnd.nextInt(6)) {
                            case 0 -> {
                                if (mine.containsKey(k)) {
                                    written.add(k); // (a delete of an absent key may write nothing)
                                }
                                assertEquals(mine.containsKey(k), t.delete(k), "seed " + seed);
                                mine.remove(k);
                            }
                            case 1 -> {
                                assertArrayEquals(mine.get(k), t.get(k), "seed " + seed);
                                assertEquals(mine.containsKey(k), t.exists(k));
                            }
                            default -> {
                                byte[] v = value(rnd);
                                t.put(k, v);
                                mine.put(k, v);
                                written.add(k);
                            }
                        }
                    }
                    assertScans(t, mine, rnd, "seed " + seed + " txn " + txn + " (own writes)");
                    if (rollback) {
                        t.rollback();
                    } else {
                        t.commit();
                        model = mine;
                        if (written.size() >= 256) {
                            largeCommits++;
                        }
                    }
                }
                if (txn % 40 == 39) {
                    s.close();
                    s = Store.open(file, CFG);
                }
                try (Txn t = s.begin()) {
                    assertScans(t, model, rnd, "seed " + seed + " txn " + txn);
                }
                assertEquals(model.size(), s.stats().keys(), "seed " + seed);
            }
            dev.cairn.engine.check.CheckReport report = s.check();
            assertTrue(report.ok(), "seed " + seed + ": " + report);
        } finally {
            s.close();
        }
        return ops;
    }

    private static byte[] key(Random rnd) {
        byte[] k = new byte[1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 256 : 6)];
        rnd.nextBytes(k);
        k[0] = (byte) ('a' + rnd.nextInt(4)); // a small key space, so keys come back
        return k.length > 3 ? Arrays.copyOf(k, 3) : k;
    }

    private static byte[] value(Random rnd) {
        int kind = rnd.nextInt(20);
        byte[] v = new byte[kind == 0 ? 20_000 + rnd.nextInt(60_000) : kind < 4 ? 400 + rnd.nextInt(200) : rnd.nextInt(64)];
        rnd.nextBytes(v);
        return v;
    }

    private static void assertScans(Txn t, TreeMap<byte[], byte[]> model, Random rnd, String where) {
        byte[] from = null;
        byte[] to = null;
        for (int round = 0; round < 3; round++) {
            List<byte[]> keys = new ArrayList<>();
            byte[] lo = from == null ? Keys.LOWEST : from;
            Map<byte[], byte[]> want = to == null ? model.tailMap(lo, true)
                    : Keys.ORDER.compare(lo, to) >= 0 ? Map.of() : model.subMap(lo, true, to, false);
            for (Map.Entry<byte[], byte[]> e : t.scan(from, to)) {
                keys.add(e.getKey());
                assertArrayEquals(model.get(e.getKey()), e.getValue(), where);
            }
            assertEquals(want.size(), keys.size(), where);
            int i = 0;
            for (byte[] k : want.keySet()) {
                assertArrayEquals(k, keys.get(i++), where);
            }
            from = new byte[] {(byte) ('a' + rnd.nextInt(4)), (byte) rnd.nextInt(256)};
            // Sometimes empty or inverted: those have no entries.
            to = rnd.nextBoolean() ? null : new byte[] {(byte) ('a' + rnd.nextInt(5)), (byte) rnd.nextInt(256)};
        }
    }
}
