package dev.cairn.engine.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.engine.BlockStore;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.cache.CachedBlock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shape a bulk load of random keys gives the tree, and what it costs a
 * batch: pivots right above the leaves keep at most
 * {@link TreeFormat#MAX_CHILDREN_ABOVE_LEAVES} children, so a flush carries
 * several messages to its leaf, while higher pivots keep their full fan-out,
 * so reads go no deeper for it.
 */
class TreeShapeTest {

    @TempDir
    Path dir;

    @Test
    void batchesOfRandomPutsRewriteFewBlocksAndTheTreeStaysShallow() {
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(1L << 30).arenas(4).cacheBytes(64L << 20);
        BlockStore s = BlockStore.create(dir.resolve("shape.cairn"), cfg);
        try {
            Random rnd = new Random(5);
            TreeMap<byte[], byte[]> model = new TreeMap<>(Keys.ORDER);
            Bptr root = Bptr.NONE;
            long writtenBefore = 0;
            int batches = 80;
            int timed = 20;
            for (int batch = 0; batch < batches; batch++) {
                if (batch == batches - timed) {
                    writtenBefore = s.stats().blocksWritten();
                }
                // The peer bench's bulk workload: keys from a million, 100-byte values.
                root = putBatch(s, root, 1000, i -> key("bulk", rnd.nextInt(1_000_000)), rnd, model);
            }
            double perBatch = (s.stats().blocksWritten() - writtenBefore) / (double) timed;
            // Into some 77,000 keys: with a pivot above the leaves free to
            // fill its child half, a batch wrote 337 blocks, nearly a leaf
            // rewrite for every three messages; at 24 children, 149. Leaves
            // split as if filled in key order (left parts 15/16 full) would
            // split again soon under random keys: 180.
            assertTrue(perBatch < 165, perBatch + " blocks written a batch of 1000 random puts");

            int[] aboveLeaves = new int[2]; // pivots right above leaves, and the most children one has
            int height = walk(s, root, aboveLeaves);
            assertTrue(aboveLeaves[0] > 40, aboveLeaves[0] + " pivots right above the leaves");
            assertTrue(aboveLeaves[1] <= TreeFormat.MAX_CHILDREN_ABOVE_LEAVES,
                    "a pivot right above the leaves has " + aboveLeaves[1] + " children");
            // Capping every pivot's fan-out, not just those above leaves, makes it deeper.
            assertEquals(3, height, "the tree's height over " + model.size() + " keys");

            for (var e : model.entrySet()) {
                assertArrayEquals(e.getValue(), Tree.get(s, root, e.getKey()));
            }
        } finally {
            s.close();
        }
    }

    /**
     * Keys put in ascending order, as ids and times are, fill the leaves
     * behind them: a leaf that only grew at its right end splits leaving
     * the left part nearly full, where halving it left every leaf about
     * three quarters full. (Keys put in random order still split evenly:
     * the test above counts what their batches write.)
     */
    @Test
    void keysPutInOrderFillTheLeaves() {
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(256L << 20).arenas(2).cacheBytes(16L << 20);
        BlockStore s = BlockStore.create(dir.resolve("fill.cairn"), cfg);
        try {
            Random rnd = new Random(9);
            TreeMap<byte[], byte[]> model = new TreeMap<>(Keys.ORDER);
            Bptr root = Bptr.NONE;
            for (int batch = 0; batch < 200; batch++) {
                int first = batch * 100;
                root = putBatch(s, root, 100, i -> key("space", first + i), rnd, model);
            }
            long[] leaves = new long[2]; // leaves, and the bytes their entries take
            leafFill(s, root, leaves);
            double fill = leaves[1] / (double) (leaves[0] * TreeFormat.LEAF_SPACE);
            assertTrue(fill > 0.88, "leaves filled in key order are " + fill + " full");
            for (var e : model.entrySet()) {
                assertArrayEquals(e.getValue(), Tree.get(s, root, e.getKey()));
            }
        } finally {
            s.close();
        }
    }

    private static byte[] key(String prefix, int n) {
        return String.format("%s-%08d", prefix, n).getBytes(StandardCharsets.US_ASCII);
    }

    /** One batch of {@code puts} random 100-byte values, the i-th under {@code key}(i), written and synced; the new root. */
    private static Bptr putBatch(BlockStore s, Bptr root, int puts, IntFunction<byte[]> key, Random rnd,
                                 Map<byte[], byte[]> model) {
        TreeWriter w = new TreeWriter(s, root);
        for (int i = 0; i < puts; i++) {
            byte[] k = key.apply(i);
            byte[] value = new byte[100];
            rnd.nextBytes(value);
            w.apply(Msg.put(k, value));
            model.put(k, value);
        }
        Bptr next = w.finish();
        w.commit();
        s.sync(List.of(next));
        return next;
    }

    private static void leafFill(BlockStore s, Bptr p, long[] leaves) {
        Node n;
        try (CachedBlock b = s.read(p)) {
            n = NodeCodec.unpack(b.data(), p);
        }
        if (n instanceof Leaf l) {
            leaves[0]++;
            leaves[1] += l.size();
            return;
        }
        for (Pivot.Child c : ((Pivot) n).children) {
            leafFill(s, c.ptr, leaves);
        }
    }

    /** The height of the tree at {@code p}, counting the pivots above leaves and their largest fan-out. */
    private static int walk(BlockStore s, Bptr p, int[] aboveLeaves) {
        Node n;
        try (CachedBlock b = s.read(p)) {
            n = NodeCodec.unpack(b.data(), p);
        }
        if (n instanceof Leaf) {
            return 1;
        }
        Pivot pivot = (Pivot) n;
        int below = 0;
        for (Pivot.Child c : pivot.children) {
            below = Math.max(below, walk(s, c.ptr, aboveLeaves));
        }
        if (below == 1) {
            aboveLeaves[0]++;
            aboveLeaves[1] = Math.max(aboveLeaves[1], pivot.children.size());
        }
        return below + 1;
    }
}
