package dev.cairn.engine.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class FreeRangesTest {

    private static final long B = 16384;

    @Test
    void freesMergeWithBothNeighboursAndGrabsSplit() {
        FreeRanges f = new FreeRanges();
        f.free(0, B);
        f.free(2 * B, B);
        assertEquals(2, f.count());
        f.free(B, B);
        assertEquals(1, f.count(), "merged into one range");
        assertEquals(3 * B, f.bytes());
        f.grab(B, B);
        assertEquals(2, f.count(), "split around the grabbed block");
        assertFalse(f.isFree(B));
        assertTrue(f.isFree(0) && f.isFree(2 * B));
    }

    @Test
    void doubleFreesAndGrabsOfUsedSpaceAreRefused() {
        FreeRanges f = new FreeRanges();
        f.free(0, 4 * B);
        assertThrows(IllegalStateException.class, () -> f.free(B, B));
        f.grab(B, B);
        assertThrows(IllegalStateException.class, () -> f.grab(B, B));
        assertThrows(IllegalArgumentException.class, () -> f.free(100, B));
    }

    @Test
    void agreesWithASetOfBlocksUnderRandomOperations() {
        Random rnd = new Random(1);
        FreeRanges f = new FreeRanges();
        TreeSet<Long> model = new TreeSet<>();
        for (long i = 0; i < 200; i++) {
            f.free(i * B, B);
            model.add(i * B);
        }
        for (int op = 0; op < 20000; op++) {
            if (rnd.nextBoolean() && !model.isEmpty()) {
                long a = f.takeFirst();
                assertEquals(model.pollFirst(), a);
            } else {
                long a = rnd.nextInt(200) * B;
                if (!model.contains(a)) {
                    f.free(a, B);
                    model.add(a);
                }
            }
            assertEquals(model.size() * B, f.bytes());
        }
        List<Long> listed = new ArrayList<>();
        f.forEach((off, len) -> {
            for (long a = off; a < off + len; a += B) {
                listed.add(a);
            }
        });
        assertEquals(new ArrayList<>(model), listed);
    }
}
