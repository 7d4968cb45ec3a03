package dev.cairn.engine.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeySeqMapTest {

    /**
     * Random puts, overwrites, lookups and sweeps against a HashMap, over
     * keys that often share a hash bucket (short keys from a small space) and
     * equal-content keys in different arrays.
     */
    @Test
    void agreesWithAHashMapThroughGrowthAndSweeps() {
        for (long seed = 1; seed <= 5; seed++) {
            Random rnd = new Random(seed);
            KeySeqMap map = new KeySeqMap();
            Map<ByteBuffer, Long> model = new HashMap<>();
            long seq = 0;
            for (int op = 0; op < 50_000; op++) {
                byte[] key = key(rnd);
                switch (rnd.nextInt(10)) {
                    case 0 -> {
                        long upTo = seq - rnd.nextInt(500);
                        map.removeUpTo(upTo);
                        model.values().removeIf(s -> s <= upTo);
                    }
                    case 1, 2, 3 -> {
                        Long want = model.get(ByteBuffer.wrap(key));
                        assertEquals(want == null ? KeySeqMap.ABSENT : want, map.get(key), "seed " + seed + " op " + op);
                    }
                    default -> {
                        seq++;
                        map.put(key, seq);
                        model.put(ByteBuffer.wrap(key), seq);
                    }
                }
                assertEquals(model.size(), map.size(), "seed " + seed + " op " + op);
            }
            for (Map.Entry<ByteBuffer, Long> e : model.entrySet()) {
                byte[] k = new byte[e.getKey().remaining()];
                e.getKey().duplicate().get(k);
                assertEquals(e.getValue(), map.get(k));
            }
        }
    }

    private static byte[] key(Random rnd) {
        byte[] k = new byte[1 + rnd.nextInt(3)];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) rnd.nextInt(40);
        }
        return k;
    }
}
