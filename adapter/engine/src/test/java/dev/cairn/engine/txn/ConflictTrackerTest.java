package dev.cairn.engine.txn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
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
        assertArrayEquals("hot".getBytes(), t.conflict(1, reads("hot".getBytes())));
        // Once commit 3 is durable, transactions begin at 3 or later: the entry
        // may go, and goes at the next sweep (the map has doubled since the last).
        t.committed(4, keys(4000, 6000), 3);
        assertNull(t.conflict(3, reads("hot".getBytes())));
        t.committed(5, keys(6000, 8100), 4);
        assertEquals(2100, t.remembered(), "only commit 5's keys, which no one has seen durable, stay");
    }

    /**
     * A transaction reads the durable state (1), and before it registers, a
     * sync makes commit 2 durable and a commit sweeps: commit 2's write of
     * "hot" is forgotten. Registered at 1 anyway, the transaction could
     * overwrite "hot" without a conflict (a lost update); it must be refused,
     * and begin again from the durable state that includes commit 2.
     */
    @Test
    void aTransactionWhoseBeginningWasSweptPastIsRefusedAndBeginsAgainLater() {
        ConflictTracker t = new ConflictTracker();
        t.committed(1, keys(0, 10), 1);
        long readDurable = 1; // the transaction has read the durable state; it has not registered yet
        t.committed(2, List.of("hot".getBytes()), 1);
        t.committed(3, keys(10, 2010), 2); // commit 2 is durable now; this sweep forgets it
        assertNull(t.conflict(1, reads("hot".getBytes())), "the sweep forgot commit 2's write");
        assertTrue(!t.began(readDurable), "a transaction that would miss commit 2's write was registered");
        assertTrue(t.began(2), "from the newer durable state it begins");
        // Registered, it holds back the next sweep: commit 3's write stays remembered for it.
        t.committed(4, keys(2010, 6100), 4);
        assertArrayEquals(key(10), t.conflict(2, reads(key(10))));
    }

    private static ReadSet reads(byte[]... keys) {
        ReadSet r = new ReadSet();
        for (byte[] k : keys) {
            r.key(k);
        }
        return r;
    }

    @Test
    void aScannedRangeConflictsWithAWriteInsideItAndNotOutside() {
        ConflictTracker t = new ConflictTracker();
        t.began(0);
        t.committed(1, List.of(key(5)), 0);
        ReadSet before = new ReadSet();
        before.range(key(0), key(4)); // "k0" up to "k4": not "k5"
        assertNull(t.conflict(0, before));
        ReadSet open = new ReadSet();
        open.range(key(4), null);
        assertArrayEquals(key(5), t.conflict(0, open));
        assertNull(t.conflict(1, open), "a commit the transaction began after is no conflict");
    }

    @Test
    void aReadSetPastItsBoundStandsForEveryKey() {
        ReadSet r = new ReadSet();
        for (int i = 0; i <= ReadSet.MAX_KEYS; i++) {
            r.key(key(i));
        }
        assertTrue(r.everything());
        assertTrue(r.covers("anything at all".getBytes(StandardCharsets.UTF_8)));
        ConflictTracker t = new ConflictTracker();
        t.began(0);
        t.committed(1, List.of("unread".getBytes(StandardCharsets.UTF_8)), 0);
        assertArrayEquals("unread".getBytes(StandardCharsets.UTF_8), t.conflict(0, r));
    }

    private static byte[] key(int i) {
        return ("k" + i).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A transaction left open (a long scan, say) keeps every later write
     * remembered. Commits used to sweep the whole map each time it was past
     * its limit, so each commit cost more than the one before; now a sweep
     * that forgets nothing waits until the map has doubled.
     */
    @Test
    void aLongOpenTransactionDoesNotMakeEveryCommitSweep() {
        ConflictTracker t = new ConflictTracker();
        t.began(0);
        int commits = 10_000;
        for (int i = 1; i <= commits; i++) {
            t.committed(i, List.of(key(i)), i - 1);
        }
        assertEquals(commits, t.remembered(), "the open transaction still needs every write");
        assertTrue(t.sweeps() <= 4, "sweeps: " + t.sweeps()); // at 1025, 2050, 4100 and 8200 entries
        assertArrayEquals(key(5000), t.conflict(0, reads(key(0), key(5000))));
    }

    @Test
    void writesNoTransactionCanConflictWithAreForgotten() {
        ConflictTracker t = new ConflictTracker();
        t.began(0);
        for (int i = 1; i <= 3000; i++) {
            t.committed(i, List.of(key(i)), i - 1);
        }
        t.ended(0);
        int seq = 3000;
        long sweepsBefore = t.sweeps();
        while (t.sweeps() == sweepsBefore) {
            seq++;
            t.committed(seq, List.of(key(seq)), seq); // durable at once: every new transaction sees it
        }
        assertEquals(0, t.remembered());
        t.began(seq);
        assertNull(t.conflict(seq, reads(key(1), key(seq))));
        t.committed(seq + 1, List.of(key(1)), seq);
        assertArrayEquals(key(1), t.conflict(seq, reads(key(1))));
    }
}
