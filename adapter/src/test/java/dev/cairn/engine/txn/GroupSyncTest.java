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
}
