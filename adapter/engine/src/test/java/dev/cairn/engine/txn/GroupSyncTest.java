package dev.cairn.engine.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.CairnException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GroupSyncTest {

    @Test
    void aSyncThatFailsWithAnyExceptionFailsItsWaitersInsteadOfHangingThem() throws Exception {
        CountDownLatch inSync = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        GroupSync g = new GroupSync(() -> {
            inSync.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("a bug, not an I/O error");
        }, () -> 0, 0);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Future<?> leader = pool.submit(() -> g.awaitDurable(1));
        assertTrue(inSync.await(5, TimeUnit.SECONDS));
        Future<?> follower = pool.submit(() -> g.awaitDurable(2));
        Thread.sleep(100);
        release.countDown();
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            ExecutionException e1 = assertThrows(ExecutionException.class, leader::get);
            ExecutionException e2 = assertThrows(ExecutionException.class, follower::get);
            assertTrue(e1.getCause() instanceof CairnException, String.valueOf(e1.getCause()));
            assertTrue(e2.getCause() instanceof CairnException && e2.getCause().getMessage().contains("sync failed"),
                    String.valueOf(e2.getCause()));
        });
        assertThrows(CairnException.class, () -> g.awaitDurable(3), "later commits fail at once too");
        pool.shutdownNow();
    }

    @Test
    void aWaiterTheFinishedSyncDidNotCoverLeadsTheNextOne() throws Exception {
        ScriptedSyncer syncer = new ScriptedSyncer(2, 5); // the first sync took commits 1 and 2
        GroupSync g = new GroupSync(syncer, () -> 0, 0);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        Future<?> first = pool.submit(named("first", () -> g.awaitDurable(1)));
        assertTrue(syncer.inFirstSync.await(5, TimeUnit.SECONDS));
        Future<?> covered = pool.submit(named("covered", () -> g.awaitDurable(2)));
        Future<?> later = pool.submit(named("later", () -> g.awaitDurable(5)));
        Thread.sleep(100);
        assertTrue(!covered.isDone() && !later.isDone(), "both wait while the first sync runs");
        syncer.release.countDown();
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            first.get();
            covered.get();
            later.get();
        });
        assertEquals(List.of("first", "later"), syncer.syncedBy,
                "one sync for commits 1 and 2, then the waiter it did not cover leads the next");
        assertEquals(5, g.durable());
        pool.shutdownNow();
    }

    @Test
    void underManyCommittersNoneReturnsBeforeASyncCoveredIt() throws Exception {
        AtomicLong applied = new AtomicLong();
        AtomicLong synced = new AtomicLong();
        AtomicInteger syncs = new AtomicInteger();
        GroupSync g = new GroupSync(() -> {
            long made = applied.get();
            Thread.yield();
            synced.accumulateAndGet(made, Math::max);
            syncs.incrementAndGet();
            return made;
        }, () -> 0, 0);
        int threads = 8;
        int each = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            results.add(pool.submit(() -> {
                int early = 0;
                for (int i = 0; i < each; i++) {
                    long seq = applied.incrementAndGet();
                    g.awaitDurable(seq);
                    if (synced.get() < seq) {
                        early++;
                    }
                }
                return early;
            }));
        }
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (Future<Integer> r : results) {
                assertEquals(0, r.get(), "commits that returned before a sync covered them");
            }
        });
        assertTrue(syncs.get() < threads * each, "commits shared syncs: " + syncs.get() + " syncs for " + threads * each);
        pool.shutdownNow();
    }

    @Test
    void anEnlistedCommitIsToldWhatTheSyncUnderWayDidWithIt() throws Exception {
        ScriptedSyncer syncer = new ScriptedSyncer(2, 3);
        GroupSync g = new GroupSync(syncer, () -> 0, 0);
        List<GroupSync.Outcome> toldTwo = new CopyOnWriteArrayList<>();
        List<GroupSync.Outcome> toldThree = new CopyOnWriteArrayList<>();
        assertFalse(g.enlist(1, toldTwo::add), "no sync under way: nothing to enlist in");
        ExecutorService pool = Executors.newFixedThreadPool(1);
        Future<?> leader = pool.submit(() -> g.awaitDurable(1));
        assertTrue(syncer.inFirstSync.await(5, TimeUnit.SECONDS));
        assertTrue(g.enlist(2, toldTwo::add));
        assertTrue(g.enlist(3, toldThree::add));
        assertTrue(toldTwo.isEmpty() && toldThree.isEmpty(), "told nothing before the sync ends");
        syncer.release.countDown();
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> leader.get());
        assertEquals(List.of(GroupSync.Outcome.DURABLE), toldTwo);
        assertEquals(List.of(GroupSync.Outcome.LEAD), toldThree,
                "commit 3 was not in the tree the sync took: its committer leads the next");
        g.lead(3);
        assertEquals(3, g.durable());
        assertEquals(2, syncer.syncedBy.size());
        pool.shutdownNow();
    }

    @Test
    void aSyncAskedForWhileOneRunsRunsAfterItInTurnAndSettlesWhatItCarries() throws Exception {
        ScriptedSyncer syncer = new ScriptedSyncer(1, 2);
        GroupSync g = new GroupSync(syncer, () -> 0, 0);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        Future<?> first = pool.submit(named("first", () -> g.awaitDurable(1)));
        assertTrue(syncer.inFirstSync.await(5, TimeUnit.SECONDS));
        List<GroupSync.Outcome> toldTwo = new CopyOnWriteArrayList<>();
        assertTrue(g.enlist(2, toldTwo::add), "commit 2 waits for the sync under way");
        Thread[] admin = new Thread[1];
        Future<?> fromNow = pool.submit(named("admin", () -> {
            admin[0] = Thread.currentThread();
            g.syncFromNow();
        }));
        while (admin[0] == null || admin[0].getState() != Thread.State.WAITING) {
            Thread.onSpinWait(); // parked behind the sync under way: it never runs its own beside it
        }
        assertEquals(List.of("first"), syncer.syncedBy);
        syncer.release.countDown();
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            first.get();
            // Commit 2 was not covered by the first sync: its committer is told to lead, and a
            // committer that leads makes its own sync; the administrator's sync comes after it.
            assertEquals(List.of(GroupSync.Outcome.LEAD), toldTwo);
            pool.submit(named("second", () -> g.lead(2))).get();
            fromNow.get();
        });
        assertEquals(List.of("first", "second", "admin"), syncer.syncedBy,
                "a sync asked for while one runs is a new one, in turn");
        assertEquals(2, g.durable());
        pool.shutdownNow();
    }

    private static Runnable named(String name, Runnable r) {
        return () -> {
            Thread.currentThread().setName(name);
            r.run();
        };
    }

    /**
     * A syncer whose first sync waits for {@code release} and then reports
     * {@code firstMade}; every later one reports {@code laterMade}. Records
     * which thread ran each.
     */
    private static final class ScriptedSyncer implements GroupSync.Syncer {
        final CountDownLatch inFirstSync = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<String> syncedBy = Collections.synchronizedList(new ArrayList<>());
        private final long firstMade;
        private final long laterMade;

        ScriptedSyncer(long firstMade, long laterMade) {
            this.firstMade = firstMade;
            this.laterMade = laterMade;
        }

        @Override
        public long syncAndReturnSequence() {
            syncedBy.add(Thread.currentThread().getName());
            if (syncedBy.size() > 1) {
                return laterMade;
            }
            inFirstSync.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return firstMade;
        }
    }
}
