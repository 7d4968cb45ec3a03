package dev.cairn.engine.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.engine.BlockStore;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.check.CheckReport;
import dev.cairn.engine.disk.CrashImages;
import dev.cairn.engine.disk.MemoryChannel;
import dev.cairn.engine.disk.RecordingChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batches that settle along the way write tree nodes before they finish:
 * a crash at any write or force of such a batch, committed or given up,
 * must mount the tree of the last completed sync exactly, with nothing
 * leaked and nothing reachable that is free. (The store's own crash test
 * commits too little to settle at the real threshold of megabytes.) Some
 * batches share a generation, as concurrent commits do: the root the first
 * leaves is replaced before any sync, and must never be written.
 */
class SettlingCrashTest {

    private static final long SIZE = 4L << 20;
    private static final long SETTLE_BYTES = 2048;

    @TempDir
    Path dir;

    @Test
    void aCrashDuringOrAfterASettlingBatchMountsTheLastSyncedTreeExactly() {
        AtomicReference<RecordingChannel> rec = new AtomicReference<>();
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(SIZE).arenas(2).cacheBytes(1 << 20)
                .channelOpener((p, o) -> {
                    rec.set(new RecordingChannel(FileChannel.open(p, o)));
                    return rec.get();
                });
        Map<Long, TreeMap<byte[], byte[]>> states = new HashMap<>();
        List<long[]> acknowledged = new ArrayList<>();
        Random rnd = new Random(7);
        int firstEvent;
        int settles = 0;
        List<Long> unwrittenRoots = new ArrayList<>();
        /**
         * Per entry of unwrittenRoots: the events from the batch that made it
         * to the sync that sealed its generation (the address may have held
         * another block before, and may be reused after).
         */
        List<Integer> unwrittenFrom = new ArrayList<>();
        List<Integer> unwrittenUntil = new ArrayList<>();
        BlockStore s = BlockStore.create(dir.resolve("t.cairn"), cfg);
        try {
            firstEvent = rec.get().eventCount();
            TreeMap<byte[], byte[]> model = new TreeMap<>(Keys.ORDER);
            states.put(s.durableGen(), new TreeMap<>(model));
            Bptr root = Bptr.NONE;
            boolean rootSynced = true;
            int rootMadeAt = 0;
            for (int batch = 0; batch < 10; batch++) {
                int batchStart = rec.get().eventCount();
                TreeMap<byte[], byte[]> next = new TreeMap<>(model);
                TreeWriter w = new TreeWriter(s, root, new RootMemo(), SETTLE_BYTES);
                for (int i = 0; i < 400; i++) {
                    byte[] key = String.format("key-%05d", rnd.nextInt(1500)).getBytes();
                    if (rnd.nextInt(5) == 0) {
                        w.apply(Msg.delete(key));
                        next.remove(key);
                    } else {
                        byte[] value = new byte[rnd.nextInt(60)];
                        rnd.nextBytes(value);
                        w.apply(Msg.put(key, value));
                        next.put(key, value);
                    }
                }
                Bptr made = w.finish();
                settles += w.settles();
                if (batch == 3 || batch == 7) {
                    w.abort(); // written along the way, then given up: the crash states after it hold the old tree
                    unwrittenRoots.add(made.addr());
                    unwrittenFrom.add(batchStart);
                } else {
                    w.commit();
                    if (!rootSynced) {
                        unwrittenRoots.add(root.addr()); // replaced before any sync took it
                        unwrittenFrom.add(rootMadeAt);
                    }
                    rootSynced = false;
                    rootMadeAt = batchStart;
                    root = made;
                    model = next;
                }
                if (batch % 3 == 0) {
                    continue; // the next batch shares this generation
                }
                long gen = s.sync(List.of(root));
                rootSynced = true;
                states.put(gen, new TreeMap<>(model));
                acknowledged.add(new long[] {rec.get().eventCount(), gen});
                while (unwrittenUntil.size() < unwrittenRoots.size()) {
                    unwrittenUntil.add(rec.get().eventCount());
                }
            }
        } finally {
            s.close();
        }
        assertTrue(settles >= 20, "the batches settled along the way (" + settles + " times)");
        assertEquals(3, unwrittenRoots.size()); // batch 0's root, replaced by batch 1 in its generation, and the two given up
        List<RecordingChannel.Event> events = rec.get().events();
        for (int i = 0; i < unwrittenRoots.size(); i++) {
            long addr = unwrittenRoots.get(i);
            for (RecordingChannel.Event e : events.subList(unwrittenFrom.get(i), unwrittenUntil.get(i))) {
                assertTrue(e.isForce() || addr < e.position() || addr >= e.position() + e.bytes().length,
                        String.format("the root at 0x%x, replaced or given up before a sync took it, was written", addr));
            }
        }
        int[] incomplete = {0};
        int explored = CrashImages.explore(rec.get().events(), firstEvent, SIZE, acknowledged, 3,
                (image, newest, fallback, where, index) -> {
                    StoreConfig mem = cfg.channelOpener((p, o) -> new MemoryChannel(image));
                    BlockStore m = BlockStore.open(dir.resolve("image"), mem);
                    try {
                        long gen = m.durableGen();
                        if (gen != newest) {
                            assertEquals(fallback, gen, where + ": mounted neither the newest generation"
                                    + " nor, it being incomplete, the one before");
                            incomplete[0]++;
                        }
                        TreeMap<byte[], byte[]> want = states.get(gen);
                        Bptr root = m.roots().isEmpty() ? Bptr.NONE : m.roots().get(0);
                        assertSame(m, root, want, where + " (generation " + gen + ")");
                        CheckReport r = m.check(Tree.walker());
                        assertTrue(r.ok(), where + ": " + r);
                    } finally {
                        m.close();
                    }
                });
        // How many writes the syncers make of the batches depends on how they
        // happen to gather consecutive blocks, so the count of states varies
        // from run to run; what must hold is that every boundary was a crash.
        int boundaries = events.size() - firstEvent + 1;
        assertTrue(explored >= boundaries, "explored " + explored + " crash states for " + boundaries + " write and force boundaries");
        System.out.printf("settling crash exploration: %d crash states, %d with the newest generation incomplete%n",
                explored, incomplete[0]);
    }

    private static void assertSame(BlockStore s, Bptr root, TreeMap<byte[], byte[]> want, String where) {
        Iterator<Map.Entry<byte[], byte[]>> it = root.isNone() ? Collections.emptyIterator()
                : Tree.scan(s, root, Keys.LOWEST, null);
        for (Map.Entry<byte[], byte[]> e : want.entrySet()) {
            assertTrue(it.hasNext(), where + ": the tree ends before " + new String(e.getKey()));
            Map.Entry<byte[], byte[]> got = it.next();
            assertArrayEquals(e.getKey(), got.getKey(), where);
            assertArrayEquals(e.getValue(), got.getValue(), where + ": " + new String(e.getKey()));
        }
        assertTrue(!it.hasNext(), where + ": the tree has more than the synced model");
    }
}
