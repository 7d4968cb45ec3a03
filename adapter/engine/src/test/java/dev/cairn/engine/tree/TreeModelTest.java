package dev.cairn.engine.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.engine.BlockStore;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.cache.CachedBlock;
import dev.cairn.engine.check.CheckReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random batches of puts, deletes and overwrites, checked against a sorted
 * map after every batch: point reads (present and absent keys), full and
 * ranged scans, and, now and then, a reopen of the store and a full check
 * (every tree block verified, nothing leaked, nothing reachable and free).
 */
class TreeModelTest {

    @TempDir
    Path dir;

    private static final StoreConfig CFG = StoreConfig.defaults().sizeBytes(64L << 20).arenas(4).cacheBytes(2L << 20);

    @Test
    void manySeedsAgreeWithASortedMap() {
        for (long seed = 1; seed <= 10; seed++) {
            run(seed, 2500, false);
            assertTrue(flushedInLastRun > 0, "seed " + seed + " never flushed in memory");
        }
    }

    /**
     * Batches that settle along the way (write what they changed so far and
     * go on from the new root) agree with the model, and leak nothing: a
     * settled root or node that the rest of the batch replaces is freed with
     * the rest of what the batch replaced.
     */
    @Test
    void batchesThatSettleAlongTheWayAgreeWithASortedMap() {
        for (long seed = 20; seed <= 25; seed++) {
            run(seed, 2500, false, 1500);
            assertTrue(settledInLastRun > 0, "seed " + seed + " never settled");
        }
        run(103, 6000, true, 4000);
        assertTrue(settledInLastRun > 0, "the long-key run never settled");
    }

    /** An aborted batch that settled several times leaves the tree and the store as they were. */
    @Test
    void anAbortedBatchThatSettledLeavesNothingBehind() {
        Random rnd = new Random(31);
        TreeMap<byte[], byte[]> model = new TreeMap<>(Keys.ORDER);
        BlockStore s = BlockStore.create(dir.resolve("abort.cairn"), CFG);
        try {
            Bptr root = Bptr.NONE;
            TreeWriter first = new TreeWriter(s, root);
            for (int i = 0; i < 3000; i++) {
                byte[] key = key(rnd, 5000, false);
                byte[] value = value(rnd);
                first.apply(Msg.put(key, value));
                model.put(key, value);
            }
            root = first.finish();
            first.commit();
            s.sync(List.of(root));
            long used = Arrays.stream(s.stats().arenaUsed()).sum();
            TreeWriter big = new TreeWriter(s, root, new RootMemo(), 2048);
            for (int i = 0; i < 4000; i++) {
                byte[] key = key(rnd, 5000, false);
                big.apply(rnd.nextInt(3) == 0 ? Msg.delete(key) : Msg.put(key, value(rnd)));
            }
            assertTrue(Arrays.stream(s.stats().arenaUsed()).sum() > used,
                    "the batch wrote nodes before finish: it settled along the way");
            Bptr abandoned = big.finish();
            big.abort();
            s.sync(List.of(root));
            s.sync(List.of(root));
            assertTrue(!abandoned.equals(root));
            verify(s, root, model, rnd, "after the aborted batch");
            assertEquals(used, Arrays.stream(s.stats().arenaUsed()).sum(), "the aborted batch's blocks are free again");
            CheckReport r = s.check(Tree.walker());
            assertTrue(r.ok(), r.toString());
        } finally {
            s.close();
        }
    }

    @Test
    void longKeysGrowADeepTreeThatStillAgrees() {
        // 257-byte keys leave room for about 28 children a pivot: a few
        // thousand keys make pivots flush into pivots and pivots split.
        int heightSeen = 0;
        for (long seed = 100; seed <= 102; seed++) {
            heightSeen = Math.max(heightSeen, run(seed, 12000, true));
        }
        assertTrue(heightSeen >= 3, "the tree grew to height " + heightSeen);
    }

    /**
     * Deletes pushed down to their leaves take their leaves with them: once
     * every key of a tree of medium values is deleted that way, alone or in
     * one batch, nothing is left of the tree, and the check finds no block
     * leaked. (Buffered deletes would leave the leaves holding every
     * value; a pivot kept over an empty child would leave a chain of them.)
     */
    @Test
    void deletesPushedDownLeaveNothingOfTheTree() {
        for (boolean oneBatch : new boolean[] {true, false}) {
            Path file = dir.resolve("push-" + oneBatch + ".cairn");
            BlockStore s = BlockStore.create(file, CFG);
            try {
                Random rnd = new Random(oneBatch ? 1 : 2);
                List<byte[]> keys = new ArrayList<>();
                Bptr root = Bptr.NONE;
                for (int batch = 0; batch < 40; batch++) {
                    TreeWriter w = new TreeWriter(s, root);
                    for (int i = 0; i < 25; i++) {
                        byte[] key = key(rnd, 1_000_000, false);
                        byte[] value = new byte[1000 + rnd.nextInt(TreeFormat.MAX_INLINE_VALUE - 1000)];
                        rnd.nextBytes(value);
                        w.apply(Msg.put(key, value));
                        keys.add(key);
                    }
                    root = w.finish();
                    w.commit();
                    s.sync(List.of(root));
                }
                assertTrue(height(s, root) >= 3, "the tree grew to height " + height(s, root));
                if (oneBatch) {
                    TreeWriter w = new TreeWriter(s, root);
                    for (byte[] k : keys) {
                        w.apply(Msg.delete(k));
                        w.pushDown(k);
                    }
                    root = w.finish();
                    w.commit();
                } else {
                    for (byte[] k : keys) {
                        TreeWriter w = new TreeWriter(s, root);
                        w.apply(Msg.delete(k));
                        w.pushDown(k);
                        root = w.finish();
                        w.commit();
                        s.sync(List.of(root));
                    }
                }
                assertEquals(Bptr.NONE, root, oneBatch ? "one batch" : "one by one");
                s.sync(List.of(root));
                CheckReport r = s.check(Tree.walker()); // nothing leaked: every block of the tree is free again
                assertTrue(r.ok(), r.toString());
            } finally {
                s.close();
            }
        }
    }

    /**
     * A writer that starts from the root the previous one left in a memo
     * makes the same tree as one that unpacks the root block: after every
     * batch, both trees hold the same nodes (same entries, buffers, child
     * keys and fills; only addresses may differ), and an aborted batch leaves
     * nothing behind for the next writer to reuse.
     */
    @Test
    void aWriterStartingFromTheRememberedRootBuildsTheSameTree() {
        for (long seed = 200; seed <= 203; seed++) {
            Random rnd = new Random(seed);
            boolean longKeys = seed % 2 == 1;
            int keySpace = longKeys ? 3000 : 1500;
            BlockStore withMemo = BlockStore.create(dir.resolve("memo-" + seed + ".cairn"), CFG);
            BlockStore decoding = BlockStore.create(dir.resolve("decode-" + seed + ".cairn"), CFG);
            try {
                RootMemo memo = new RootMemo();
                int startedFromMemo = 0;
                Bptr a = Bptr.NONE;
                Bptr b = Bptr.NONE;
                for (int batchNo = 1; batchNo <= 300; batchNo++) {
                    List<Msg> batch = new ArrayList<>();
                    int n = 1 + rnd.nextInt(rnd.nextInt(5) == 0 ? 300 : 20);
                    for (int i = 0; i < n; i++) {
                        byte[] key = key(rnd, keySpace, longKeys);
                        batch.add(rnd.nextInt(4) == 0 ? Msg.delete(key) : Msg.put(key, value(rnd)));
                    }
                    if (!a.isNone() && a.equals(memo.remembered())) {
                        startedFromMemo++;
                    }
                    TreeWriter wa = new TreeWriter(withMemo, a, memo);
                    assertEquals(Bptr.NONE, memo.remembered(), "a writer takes what it starts from");
                    TreeWriter wb = new TreeWriter(decoding, b);
                    batch.forEach(wa::apply);
                    batch.forEach(wb::apply);
                    Bptr na = wa.finish();
                    Bptr nb = wb.finish();
                    int outcome = rnd.nextInt(10);
                    if (outcome == 0) {
                        // Given up: the old trees stay, and the next writer must not start from the abandoned root.
                        wa.abort();
                        wb.abort();
                    } else if (outcome == 1) {
                        // Adopted, then given up (as the store does when its snapshot table refuses the
                        // kills): the blocks the batch replaced were only collected, so the old trees stay.
                        wa.commit(replaced -> { });
                        wb.commit(replaced -> { });
                        wa.abort();
                        wb.abort();
                    } else {
                        wa.commit();
                        wb.commit();
                        a = na;
                        b = nb;
                    }
                    if (batchNo % 50 == 0) {
                        withMemo.sync(List.of(a));
                        decoding.sync(List.of(b));
                    }
                    assertEquals(shape(decoding, b), shape(withMemo, a), "seed " + seed + " batch " + batchNo);
                }
                // Most batches start from the root the one before left (not after an abort, nor when a
                // root with one child gave way to it): the memo is really used, not just harmless.
                assertTrue(startedFromMemo > 150, "seed " + seed + ": " + startedFromMemo + " of 300 from the memo");
            } finally {
                withMemo.close();
                decoding.close();
            }
        }
    }

    /** Every node of the tree at {@code root}, depth first, without block addresses. */
    private static String shape(BlockStore s, Bptr root) {
        StringBuilder out = new StringBuilder();
        if (root.isNone()) {
            return "empty";
        }
        Node n;
        try (CachedBlock b = s.read(root)) {
            n = NodeCodec.unpack(b.data(), root);
        }
        if (n instanceof Leaf l) {
            for (int i = 0; i < l.count(); i++) {
                out.append(HexFormat.of().formatHex(l.key(i))).append('=')
                        .append(HexFormat.of().formatHex(l.value(i))).append(' ');
            }
            return out.append('\n').toString();
        }
        Pivot p = (Pivot) n;
        for (Msg m : p.buffer.all()) {
            out.append(m.op()).append(HexFormat.of().formatHex(m.key())).append('=')
                    .append(HexFormat.of().formatHex(m.value())).append(' ');
        }
        out.append('\n');
        for (Pivot.Child c : p.children) {
            out.append('[').append(HexFormat.of().formatHex(c.key)).append(' ').append(c.fill).append("]\n")
                    .append(shape(s, c.ptr));
        }
        return out.toString();
    }

    private int run(long seed, int ops, boolean longKeys) {
        return run(seed, ops, longKeys, TreeWriter.SETTLE_BYTES);
    }

    /** How many times the batches of the last {@link #run} settled. */
    private int settledInLastRun;

    /** How many times the batches of the last {@link #run} flushed in memory before they finished. */
    private int flushedInLastRun;

    private int run(long seed, int ops, boolean longKeys, long settleBytes) {
        settledInLastRun = 0;
        flushedInLastRun = 0;
        Random rnd = new Random(seed);
        Path file = dir.resolve("tree-" + seed + ".cairn");
        TreeMap<byte[], byte[]> model = new TreeMap<>(Keys.ORDER);
        int keySpace = longKeys ? 6000 : 200 + rnd.nextInt(3000);
        int maxHeight = 0;
        BlockStore s = BlockStore.create(file, CFG);
        try {
            Bptr root = Bptr.NONE;
            int done = 0;
            int batchNo = 0;
            while (done < ops) {
                int batch = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 400 : 30);
                TreeWriter w = new TreeWriter(s, root, new RootMemo(), settleBytes);
                for (int i = 0; i < batch; i++, done++) {
                    byte[] key = key(rnd, keySpace, longKeys);
                    if (rnd.nextInt(4) == 0) {
                        w.apply(Msg.delete(key));
                        model.remove(key);
                    } else {
                        byte[] value = value(rnd);
                        w.apply(Msg.put(key, value));
                        model.put(key, value);
                    }
                    if (rnd.nextInt(8) == 0) {
                        w.pushDown(key); // as a commit does for a write that shrinks a leaf entry
                    }
                    if (rnd.nextInt(60) == 0) {
                        w.flushInMemory(); // as a commit does while its old values are looked up elsewhere
                        flushedInLastRun++;
                    }
                }
                root = w.finish();
                w.commit();
                settledInLastRun += w.settles();
                s.sync(List.of(root));
                batchNo++;
                verify(s, root, model, rnd, "seed " + seed + " batch " + batchNo);
                maxHeight = Math.max(maxHeight, height(s, root));
                if (batchNo % (longKeys ? 100 : 25) == 0) {
                    s.close();
                    s = BlockStore.open(file, CFG);
                    assertEquals(root, s.roots().get(0));
                    verify(s, root, model, rnd, "seed " + seed + " after reopen at batch " + batchNo);
                    CheckReport r = s.check(Tree.walker());
                    assertTrue(r.ok(), "seed " + seed + ": " + r);
                }
            }
            // Delete everything. Deletes may still wait in buffers (a Bε-tree
            // applies them lazily), but nothing may be readable or leaked.
            TreeWriter w = new TreeWriter(s, root);
            for (byte[] k : model.keySet()) {
                w.apply(Msg.delete(k));
            }
            root = w.finish();
            w.commit();
            s.sync(List.of(root));
            s.sync(List.of(root));
            model.clear();
            verify(s, root, model, rnd, "seed " + seed + " after deleting everything");
            CheckReport r = s.check(Tree.walker());
            assertTrue(r.ok(), "seed " + seed + ": " + r);
        } finally {
            s.close();
        }
        return maxHeight;
    }

    private static byte[] key(Random rnd, int space, boolean longKeys) {
        int k = rnd.nextInt(space);
        // Mostly short keys, some long ones (up to the limit), all derived from k.
        int len = longKeys || k % 17 == 0 ? Keys.MAX_KEY - (k % 40) : 4 + k % 12;
        byte[] key = new byte[len];
        Random kr = new Random(k);
        kr.nextBytes(key);
        key[0] = (byte) (k >>> 8);
        key[1] = (byte) k;
        return key;
    }

    private static byte[] value(Random rnd) {
        int len = rnd.nextInt(5) == 0 ? rnd.nextInt(TreeFormat.MAX_INLINE_VALUE + 1) : rnd.nextInt(40);
        byte[] v = new byte[len];
        rnd.nextBytes(v);
        return v;
    }

    private static void verify(BlockStore s, Bptr root, TreeMap<byte[], byte[]> model, Random rnd, String where) {
        // Every key of the model, and as many absent ones.
        for (Map.Entry<byte[], byte[]> e : model.entrySet()) {
            assertArrayEquals(e.getValue(), Tree.get(s, root, e.getKey()), where);
        }
        for (int i = 0; i < 50; i++) {
            byte[] k = new byte[1 + rnd.nextInt(20)];
            rnd.nextBytes(k);
            assertEquals(model.containsKey(k), Tree.get(s, root, k) != null, where);
        }
        assertGetAll(s, root, model, rnd, where);
        assertScan(s, root, model, Keys.LOWEST, null, where);
        for (int i = 0; i < 5; i++) {
            byte[] a = new byte[1 + rnd.nextInt(3)];
            byte[] b = new byte[1 + rnd.nextInt(3)];
            rnd.nextBytes(a);
            rnd.nextBytes(b);
            if (Keys.ORDER.compare(a, b) > 0) {
                byte[] t = a;
                a = b;
                b = t;
            }
            assertScan(s, root, model, a, b, where + " range");
        }
    }

    /**
     * Looking keys up together gives each key's value: the model's keys and
     * as many absent ones (some just past a present key, so they share its
     * leaf), in key order and shuffled.
     */
    private static void assertGetAll(BlockStore s, Bptr root, TreeMap<byte[], byte[]> model, Random rnd, String where) {
        TreeSet<byte[]> asked = new TreeSet<>(Keys.ORDER);
        for (byte[] k : model.keySet()) {
            asked.add(k);
            byte[] absent = Arrays.copyOf(k, k.length + 1);
            if (rnd.nextBoolean()) {
                absent = new byte[1 + rnd.nextInt(20)];
                rnd.nextBytes(absent);
            }
            if (!model.containsKey(absent)) {
                asked.add(absent);
            }
        }
        List<byte[]> keys = new ArrayList<>(asked);
        for (boolean shuffled : new boolean[] {false, true}) {
            if (shuffled) {
                Collections.shuffle(keys, rnd);
            }
            byte[][] got = Tree.getAll(s, root, keys.toArray(new byte[0][]));
            for (int i = 0; i < keys.size(); i++) {
                assertArrayEquals(model.get(keys.get(i)), got[i], where + (shuffled ? ", shuffled" : "") + ": getAll, key " + i);
            }
        }
    }

    private static void assertScan(BlockStore s, Bptr root, TreeMap<byte[], byte[]> model, byte[] from, byte[] to,
                                   String where) {
        Map<byte[], byte[]> want = to == null ? model.tailMap(from, true) : model.subMap(from, true, to, false);
        Iterator<Map.Entry<byte[], byte[]>> it = Tree.scan(s, root, from, to);
        List<byte[]> got = new ArrayList<>();
        for (Map.Entry<byte[], byte[]> e : want.entrySet()) {
            assertTrue(it.hasNext(), where + ": scan ended early");
            Map.Entry<byte[], byte[]> g = it.next();
            assertArrayEquals(e.getKey(), g.getKey(), where);
            assertArrayEquals(e.getValue(), g.getValue(), where);
            got.add(g.getKey());
        }
        assertTrue(!it.hasNext(), where + ": scan returned more than the model has");
    }

    private static int height(BlockStore s, Bptr root) {
        int h = 0;
        Bptr p = root;
        while (!p.isNone()) {
            h++;
            try (CachedBlock b = s.read(p)) {
                if (NodeCodec.type(b.data()) == BlockFormat.TYPE_LEAF) {
                    return h;
                }
                p = NodeCodec.children(b.data()).get(0);
            }
        }
        return h;
    }
}
