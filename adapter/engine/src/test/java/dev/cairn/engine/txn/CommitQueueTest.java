package dev.cairn.engine.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Who applies the queued commits, and that none is left waiting when the applier is done. */
class CommitQueueTest {

    /**
     * A commit that arrives after the applier took the queue finds the turn
     * taken and sleeps; the applier, once done, must hand it the turn. With
     * no later committer to come along, nothing else would ever wake it.
     */
    @Test
    void aCommitArrivingDuringAnApplyIsAppliedOnceThatApplyEnds() throws Exception {
        CommitQueue<String> q = new CommitQueue<>();
        CountDownLatch taken = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong secondOutcome = new AtomicLong(-1);
        Thread first = new Thread(() -> {
            CommitQueue.Waiting<String> w = q.add("first");
            q.await(w, () -> {
                q.takeAll().forEach(x -> x.applied(1));
                taken.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        });
        Thread second = new Thread(() -> {
            try {
                taken.await();
            } catch (InterruptedException e) {
                return;
            }
            CommitQueue.Waiting<String> w = q.add("second");
            q.await(w, () -> q.takeAll().forEach(x -> x.applied(2)));
            secondOutcome.set(w.outcome());
        });
        first.start();
        second.start();
        assertTrue(taken.await(10, TimeUnit.SECONDS));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (second.getState() != Thread.State.WAITING && System.nanoTime() < until) {
            Thread.sleep(1); // until the second committer sleeps, the turn being taken
        }
        assertEquals(Thread.State.WAITING, second.getState());
        release.countDown();
        first.join(10_000);
        second.join(10_000);
        boolean stranded = second.isAlive();
        second.interrupt(); // lets a stranded committer take the turn itself, so the test ends
        second.join(10_000);
        assertFalse(stranded, "the commit that arrived during the apply was left waiting");
        assertEquals(2, secondOutcome.get());
    }

    /**
     * A commit taken and handed on to be settled later (after a sync) leaves
     * its committer asleep until then: it must not go on taking turns,
     * which would spin on the owner's lock for as long as the sync takes.
     */
    @Test
    void aCommitTakenButSettledLaterSleepsUntilSettledInsteadOfTakingTurns() throws Exception {
        CommitQueue<String> q = new CommitQueue<>();
        AtomicInteger turns = new AtomicInteger();
        AtomicReference<CommitQueue.Waiting<String>> handedOn = new AtomicReference<>();
        AtomicLong outcome = new AtomicLong(-1);
        Thread committer = new Thread(() -> {
            CommitQueue.Waiting<String> w = q.add("c");
            q.await(w, () -> {
                turns.incrementAndGet();
                q.takeAll().forEach(handedOn::set); // no outcome yet: someone else gives it
            });
            outcome.set(w.outcome());
        });
        committer.start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((handedOn.get() == null || committer.getState() != Thread.State.WAITING) && System.nanoTime() < until) {
            Thread.sleep(1);
        }
        Thread.sleep(50);
        assertEquals(1, turns.get(), "the committer took one turn, then slept");
        handedOn.get().applied(7);
        committer.join(10_000);
        assertFalse(committer.isAlive());
        assertEquals(7, outcome.get());
    }
}
