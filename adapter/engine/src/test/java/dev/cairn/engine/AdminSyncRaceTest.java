package dev.cairn.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.api.CairnException;
import dev.cairn.engine.disk.FaultyChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An administrator's sync (or log compression) that carries a commit whose
 * caller is still waiting, and whose fsync fails: the commit may be durable,
 * and its caller must hear so, not only that the store is read-only.
 *
 * <p>Forced as in {@link CloseRaceTest}: a first commit's sync is held at its
 * force; the commit under test is applied and waits for a sync; the
 * administrator's sync is asked for and waits; then the force is let go,
 * and the next one fails. An administrator's sync that ran outside the
 * group's turn carried the waiting commit into its failed fsync, and the
 * commit's own sync was then refused as read-only ("writes after the last
 * completed commit may be lost"), while a reopen showed the commit.
 */
class AdminSyncRaceTest {

    @TempDir
    Path dir;

    enum Admin {
        SYNC(Store::sync),
        COMPRESS_LOGS(Store::compressLogs);

        final Consumer<Store> run;

        Admin(Consumer<Store> run) {
            this.run = run;
        }
    }

    @ParameterizedTest
    @EnumSource(Admin.class)
    void aCommitCarriedByAFailedAdministratorsSyncIsToldItMayHaveBeenMadeDurable(Admin admin) throws Exception {
        Path file = dir.resolve("s.cairn");
        FaultyChannel[] ch = new FaultyChannel[1];
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(64L << 20).cacheBytes(4L << 20)
                .channelOpener((p, o) -> ch[0] = new FaultyChannel(FileChannel.open(p, o)));
        ExecutorService pool = Executors.newCachedThreadPool();
        CountDownLatch forcing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Throwable told;
        try {
            Store s = Store.create(file, cfg);
            put(s, "w", "0");
            ch[0].onNextForce.set(() -> {
                forcing.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Future<?> first = pool.submit(() -> put(s, "a", "1"));
            assertTrue(forcing.await(30, TimeUnit.SECONDS), "the first commit's sync never reached its force");

            AtomicReference<Thread> committer = new AtomicReference<>();
            Future<Throwable> inFlight = pool.submit(() -> {
                committer.set(Thread.currentThread());
                try {
                    put(s, "k", "new");
                    return null;
                } catch (CairnException e) {
                    return e;
                }
            });
            awaitParked(committer, "the commit under test", b -> b.getClass().getName().startsWith("dev.cairn.engine.txn."));

            AtomicReference<Thread> administrator = new AtomicReference<>();
            Future<?> adminDone = pool.submit(() -> {
                administrator.set(Thread.currentThread());
                try {
                    admin.run.accept(s);
                } catch (CairnException expected) {
                    // its sync is the one that fails, or follows it
                }
            });
            awaitParked(administrator, "the administrator's " + admin, b -> true);

            ch[0].forcesUntilFailure.set(1); // the held force passes, the next one fails
            release.countDown();
            first.get(30, TimeUnit.SECONDS);
            told = inFlight.get(30, TimeUnit.SECONDS);
            adminDone.get(30, TimeUnit.SECONDS);
            assertTrue(s.isReadOnly(), "the failed fsync made the store read-only");
            assertNotNull(told, "the commit's sync, or the one that carried it, failed");
            s.close();
        } finally {
            pool.shutdownNow();
        }
        try (Store s = Store.open(file, StoreConfig.defaults())) {
            assertArrayEquals("1".getBytes(UTF_8), read(s, "a"), "the first commit returned, so it is durable");
            byte[] k = read(s, "k");
            boolean happened = Arrays.equals("new".getBytes(UTF_8), k);
            assertTrue(happened || k == null, "the commit is there wholly or not at all");
            if (happened && !told.getMessage().contains("may have been made durable")) {
                fail("the commit is in the reopened store, but its caller was told only: " + told.getMessage());
            }
            assertEquals(true, s.check().ok());
        }
    }

    private static void awaitParked(AtomicReference<Thread> who, String what, Predicate<Object> on) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Thread t = who.get();
            Object blocker = t == null ? null : LockSupport.getBlocker(t);
            if (blocker != null && t.getState() == Thread.State.WAITING && on.test(blocker)) {
                return;
            }
            Thread.onSpinWait();
        }
        fail(what + " never came to wait");
    }

    private static void put(Store s, String key, String value) {
        try (Txn t = s.begin()) {
            t.put(key.getBytes(UTF_8), value.getBytes(UTF_8));
            t.commit();
        }
    }

    private static byte[] read(Store s, String key) {
        try (Txn t = s.begin()) {
            return t.get(key.getBytes(UTF_8));
        }
    }
}
