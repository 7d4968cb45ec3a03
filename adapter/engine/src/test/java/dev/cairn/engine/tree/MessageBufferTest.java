package dev.cairn.engine.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The buffer against a sorted map: batches in key order interleaved with
 * what it holds, repeated keys within and across batches, lone stragglers,
 * ranges read and taken, and the byte count after each step.
 */
class MessageBufferTest {

    @Test
    void agreesWithASortedMapWhereTheLastMessageForAKeyWins() {
        for (long seed = 1; seed <= 30; seed++) {
            Random rnd = new Random(seed);
            MessageBuffer b = new MessageBuffer();
            TreeMap<byte[], Msg> model = new TreeMap<>(Keys.ORDER);
            for (int step = 0; step < 200; step++) {
                String where = "seed " + seed + " step " + step;
                switch (rnd.nextInt(4)) {
                    case 0, 1 -> {
                        // A batch in key order, as a commit or a flush brings, sometimes with a key twice in a row.
                        List<byte[]> keys = new ArrayList<>();
                        for (int i = rnd.nextInt(30); i > 0; i--) {
                            keys.add(key(rnd));
                        }
                        keys.sort(Keys.ORDER);
                        for (byte[] k : keys) {
                            add(b, model, k, rnd);
                            if (rnd.nextInt(10) == 0) {
                                add(b, model, k, rnd);
                            }
                        }
                    }
                    case 2 -> add(b, model, key(rnd), rnd); // one out of turn
                    default -> {
                        byte[] lo = rnd.nextInt(4) == 0 ? null : key(rnd);
                        byte[] hi = rnd.nextInt(4) == 0 ? null : key(rnd);
                        if (lo != null && hi != null && Keys.ORDER.compare(lo, hi) > 0) {
                            byte[] t = lo;
                            lo = hi;
                            hi = t;
                        }
                        NavigableMap<byte[], Msg> want = range(model, lo, hi);
                        assertSameMessages(want, b.range(lo, hi), where + " range");
                        List<Msg> expected = new ArrayList<>(want.values());
                        List<Msg> taken = b.take(lo, hi);
                        assertEquals(expected, taken, where + " take");
                        want.clear();
                    }
                }
                assertSameMessages(model, b.all(), where);
                assertEquals(model.values().stream().mapToInt(Msg::packedSize).sum(), b.bytes(), where + " bytes");
                assertEquals(model.size(), b.size(), where + " size");
                assertEquals(model.isEmpty(), b.isEmpty(), where + " isEmpty");
            }
        }
    }

    @Test
    void aLookupFindsTheNewestMessageForAKey() {
        MessageBuffer b = new MessageBuffer();
        Msg old = Msg.put(new byte[] {5}, new byte[] {1});
        Msg newer = Msg.delete(new byte[] {5});
        b.add(Msg.put(new byte[] {9}, new byte[0]));
        b.add(old);
        b.add(Msg.put(new byte[] {1}, new byte[0]));
        b.add(newer);
        assertSame(newer, b.get(new byte[] {5}));
        assertEquals(null, b.get(new byte[] {6}));
        assertEquals(3, b.size());
    }

    @Test
    void loadingMessagesOutOfKeyOrderIsRefused() {
        MessageBuffer b = new MessageBuffer();
        List<Msg> twice = List.of(Msg.put(new byte[] {1}, new byte[0]), Msg.put(new byte[] {1}, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> b.load(twice));
        List<Msg> backwards = List.of(Msg.put(new byte[] {2}, new byte[0]), Msg.put(new byte[] {1}, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new MessageBuffer().load(backwards));
        MessageBuffer full = new MessageBuffer();
        full.add(Msg.put(new byte[] {1}, new byte[0]));
        assertThrows(IllegalStateException.class, () -> full.load(List.of()));
    }

    private static void add(MessageBuffer b, TreeMap<byte[], Msg> model, byte[] k, Random rnd) {
        Msg m = rnd.nextInt(3) == 0 ? Msg.delete(k) : Msg.put(k, new byte[rnd.nextInt(40)]);
        b.add(m);
        model.put(k, m);
    }

    /** Keys from a small space, so they come back, and of different lengths, so some are prefixes of others. */
    private static byte[] key(Random rnd) {
        byte[] k = new byte[1 + rnd.nextInt(3)];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) rnd.nextInt(6);
        }
        return k;
    }

    private static NavigableMap<byte[], Msg> range(NavigableMap<byte[], Msg> m, byte[] lo, byte[] hi) {
        NavigableMap<byte[], Msg> r = m;
        if (lo != null) {
            r = r.tailMap(lo, true);
        }
        if (hi != null) {
            r = r.headMap(hi, false);
        }
        return r;
    }

    private static void assertSameMessages(Map<byte[], Msg> want, List<Msg> got, String where) {
        assertEquals(new ArrayList<>(want.values()), got, where);
    }
}
