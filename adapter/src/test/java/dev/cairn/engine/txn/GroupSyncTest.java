package dev.cairn.engine.txn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.engine.CairnException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
        assertTrue(inSync.await(5, java.util.concurrent.TimeUnit.SECONDS));
        Future<?> follower = pool.submit(() -> g.awaitDurable(2));
        Thread.sleep(100);
        release.countDown();
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            java.util.concurrent.ExecutionException e1 = assertThrows(java.util.concurrent.ExecutionException.class, leader::get);
            java.util.concurrent.ExecutionException e2 = assertThrows(java.util.concurrent.ExecutionException.class, follower::get);
            assertTrue(e1.getCause() instanceof CairnException, String.valueOf(e1.getCause()));
            assertTrue(e2.getCause() instanceof CairnException && e2.getCause().getMessage().contains("sync failed"),
                    String.valueOf(e2.getCause()));
        });
        assertThrows(CairnException.class, () -> g.awaitDurable(3), "later commits fail at once too");
        pool.shutdownNow();
    }

    @Test
    void aWaiterTheFinishedSyncDidNotCoverLeadsTheNextOne() throws Exception {
        CountDownLatch inFirstSync = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        java.util.List<String> syncedBy = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        GroupSync g = new GroupSync(() -> {
            syncedBy.add(Thread.currentThread().getName());
            if (calls.incrementAndGet() == 1) {
                inFirstSync.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return 2; // commits 1 and 2 were in the tree this sync took
            }
            return 5;
        }, () -> 0, 0);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        Future<?> first = pool.submit(named("first", () -> g.awaitDurable(1)));
        assertTrue(inFirstSync.await(5, java.util.concurrent.TimeUnit.SECONDS));
        Future<?> covered = pool.submit(named("covered", () -> g.awaitDurable(2)));
        Future<?> later = pool.submit(named("later", () -> g.awaitDurable(5)));
        Thread.sleep(100);
        assertTrue(!covered.isDone() && !later.isDone(), "both wait while the first sync runs");
        release.countDown();
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            first.get();
            covered.get();
            later.get();
        });
        org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of("first", "later"), syncedBy,
                "one sync for commits 1 and 2, then the waiter it did not cover leads the next");
        org.junit.jupiter.api.Assertions.assertEquals(5, g.durable());
        pool.shutdownNow();
    }

    @Test
    void underManyCommittersNoneReturnsBeforeASyncCoveredIt() throws Exception {
        java.util.concurrent.atomic.AtomicLong applied = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong synced = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicInteger syncs = new java.util.concurrent.atomic.AtomicInteger();
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
        java.util.List<Future<Integer>> results = new java.util.ArrayList<>();
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
                org.junit.jupiter.api.Assertions.assertEquals(0, r.get(), "commits that returned before a sync covered them");
            }
        });
        assertTrue(syncs.get() < threads * each, "commits shared syncs: " + syncs.get() + " syncs for " + threads * each);
        pool.shutdownNow();
    }

    private static Runnable named(String name, Runnable r) {
        return () -> {
            Thread.currentThread().setName(name);
            r.run();
        };
    }

    @Test
    void anEnlistedCommitIsToldWhatTheSyncUnderWayDidWithIt() throws Exception {
        CountDownLatch inFirstSync = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        GroupSync g = new GroupSync(() -> {
            if (calls.incrementAndGet() == 1) {
                inFirstSync.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return 2;
            }
            return 3;
        }, () -> 0, 0);
        java.util.List<GroupSync.Outcome> toldTwo = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.List<GroupSync.Outcome> toldThree = new java.util.concurrent.CopyOnWriteArrayList<>();
        org.junit.jupiter.api.Assertions.assertFalse(g.enlist(1, toldTwo::add), "no sync under way: nothing to enlist in");
        ExecutorService pool = Executors.newFixedThreadPool(1);
        Future<?> leader = pool.submit(() -> g.awaitDurable(1));
        assertTrue(inFirstSync.await(5, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(g.enlist(2, toldTwo::add));
        assertTrue(g.enlist(3, toldThree::add));
        assertTrue(toldTwo.isEmpty() && toldThree.isEmpty(), "told nothing before the sync ends");
        release.countDown();
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> leader.get());
        org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(GroupSync.Outcome.DURABLE), toldTwo);
        org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(GroupSync.Outcome.LEAD), toldThree,
                "commit 3 was not in the tree the sync took: its committer leads the next");
        g.lead(3);
        org.junit.jupiter.api.Assertions.assertEquals(3, g.durable());
        org.junit.jupiter.api.Assertions.assertEquals(2, calls.get());
        pool.shutdownNow();
    }
}
