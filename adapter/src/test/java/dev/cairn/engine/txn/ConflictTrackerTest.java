package dev.cairn.engine.txn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConflictTrackerTest {

    private static List<byte[]> keys(int from, int to) {
        List<byte[]> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(("k" + i).getBytes());
        }
        return out;
    }

    @Test
    void aCommitNotYetDurableIsRememberedEvenWithNoTransactionOpen() {
        ConflictTracker t = new ConflictTracker();
        // Enough keys to make the tracker prune, with no transaction open.
        t.committed(1, keys(0, 2000), 1);
        // Commit 2 is applied; the durable state is still commit 1.
        t.committed(2, List.of("hot".getBytes()), 1);
        t.committed(3, keys(2000, 4000), 1); // prunes again
        // A transaction beginning now reads the durable snapshot, 1, and must
        // still see that commit 2 wrote "hot" after it.
        assertArrayEquals("hot".getBytes(), t.conflict(1, List.of("hot".getBytes())));
        // Once commit 3 is durable, transactions begin at 3 or later: the entry may go.
        t.committed(4, keys(4000, 6000), 3);
        assertNull(t.conflict(3, List.of("hot".getBytes())));
        assertTrue(t.remembered() <= 2001, "pruned to " + t.remembered());
    }
}
