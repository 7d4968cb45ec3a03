package dev.cairn.engine.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The search index must find exactly what a plain binary search of the
 * packed table finds, for keys stored and keys not, whatever the keys look
 * like: sharing a long prefix or none, prefixes of one another, zero bytes
 * where the heads pad with zeros, outliers beyond the shared prefix at
 * either end, and more entries than the index keeps heads for.
 */
class SearchIndexTest {

    private static final Random RND = new Random(11);

    @Test
    void keysLikeTheStoresUserKeysWithItsOwnKeysBesideThem() {
        check("user keys", () -> ("\u0001bulk-" + String.format("%08d", RND.nextInt(1_000_000)))
                .getBytes(StandardCharsets.ISO_8859_1), 120, List.of(new byte[0], new byte[] {2, 'k'}, new byte[] {3, 0, 0}));
    }

    @Test
    void keysMadeOfZerosOnesAndFullBytesThatArePrefixesOfOneAnother() {
        byte[] alphabet = {0, 1, (byte) 0xff};
        check("tiny alphabet", () -> {
            byte[] k = new byte[RND.nextInt(8)];
            for (int i = 0; i < k.length; i++) {
                k[i] = alphabet[RND.nextInt(alphabet.length)];
            }
            return k;
        }, 200, List.of());
    }

    @Test
    void keysSharingALongPrefixWithShortTailsAndOutliersInsideThePrefix() {
        byte[] prefix = new byte[200];
        Arrays.fill(prefix, (byte) 'p');
        check("long prefix", () -> {
            byte[] tail = new byte[RND.nextInt(6)];
            RND.nextBytes(tail);
            byte[] k = Arrays.copyOf(prefix, prefix.length + tail.length);
            System.arraycopy(tail, 0, k, prefix.length, tail.length);
            return k;
        }, 50, List.of(prefix, Arrays.copyOf(prefix, 150), "p".repeat(199).concat("a").getBytes(StandardCharsets.US_ASCII),
                "p".repeat(120).concat("z").getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void moreEntriesThanHeadsAreSearchedBetweenTheHeadsThatBoundThem() {
        check("many small entries", () -> {
            byte[] k = new byte[1 + RND.nextInt(3)];
            RND.nextBytes(k);
            return k;
        }, 1500, List.of());
    }

    /**
     * Packs {@code n} keys from {@code gen} and {@code extra} into a leaf and
     * compares every search, with several head budgets, against a binary
     * search of the sorted keys.
     */
    private static void check(String what, Supplier<byte[]> gen, int n, List<byte[]> extra) {
        for (int round = 0; round < 20; round++) {
            TreeSet<byte[]> set = new TreeSet<>(Keys.ORDER);
            while (set.size() < n) {
                set.add(gen.get());
            }
            set.addAll(extra);
            List<byte[]> sorted = new ArrayList<>(set);
            Leaf leaf = new Leaf();
            for (byte[] k : sorted) {
                leaf.put(k, new byte[0]);
            }
            byte[] block = new byte[TreeFormat.BLOCK];
            NodeCodec.pack(leaf, block);
            List<byte[]> probes = new ArrayList<>(sorted);
            for (byte[] k : sorted) {
                probes.add(Arrays.copyOf(k, k.length + 1)); // k followed by a zero byte
                if (k.length > 0) {
                    probes.add(Arrays.copyOf(k, k.length - 1));
                    byte[] up = k.clone();
                    up[up.length - 1]++;
                    probes.add(up);
                }
            }
            for (int i = 0; i < 200; i++) {
                probes.add(gen.get());
            }
            for (int maxHeads : new int[] {1, 3, 16, SearchIndex.LEAF_HEADS}) {
                SearchIndex index = new SearchIndex(block, TreeFormat.LEAF_HEADER, sorted.size(), maxHeads);
                assertTrue(index.heads() <= maxHeads, what + ": " + index.heads() + " heads, more than " + maxHeads);
                for (byte[] probe : probes) {
                    int expected = Collections.binarySearch(sorted, probe, Keys.ORDER);
                    String where = what + ", round " + round + ", " + maxHeads + " heads, key " + Arrays.toString(probe);
                    assertEquals(expected, index.search(probe), where);
                    int floor = expected >= 0 ? expected : Math.max(0, -expected - 2);
                    assertArrayEquals(sorted.get(floor), NodeCodec.leafKey(block, index.floor(probe)), where + ": floor");
                }
            }
        }
    }
}
