package dev.cairn.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.api.CairnException;
import dev.cairn.api.StoreClosedException;
import dev.cairn.engine.disk.ForwardingChannel;
import dev.cairn.engine.work.Workers;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A store closed while commits are in flight: after a reopen, a commit is
 * there exactly when its caller was told it committed.
 *
 * <p>The interleaving is forced: a first commit's sync is held at its force
 * (it holds the sync lock); the commit under test is applied and waits for
 * a sync to make it durable; close is called and waits too; then the force
 * is let go. A close that took its own closing sync past the commit lock
 * made the waiting commit durable and then refused the commit's own sync
 * with "closed".
 */
class CloseRaceTest {

    @TempDir
    Path dir;

    private static final byte[] BIG = new byte[100_000];

    static {
        new Random(7).nextBytes(BIG);
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    /** What a commit in flight does, and how a reopened store shows whether it happened. */
    enum Change {
        SMALL_PUT {
            @Override
            void make(Store s) {
                put(s, "k", b("new"));
            }

            @Override
            boolean happened(Store s) {
                return Arrays.equals(b("new"), read(s, "k"));
            }
        },
        LARGE_PUT {
            @Override
            void make(Store s) {
                put(s, "big", BIG);
            }

            @Override
            boolean happened(Store s) {
                return Arrays.equals(BIG, read(s, "big"));
            }
        },
        PREPARE {
            @Override
            void make(Store s) {
                try (Txn t = s.begin()) {
                    t.put(b("p"), b("v"));
                    t.prepare(b("xid-new"));
                }
            }

            @Override
            boolean happened(Store s) {
                return s.recover().stream().anyMatch(x -> Arrays.equals(b("xid-new"), x));
            }
        },
        COMMIT_PREPARED {
            @Override
            void before(Store s) {
                prepareX(s);
            }

            @Override
            void make(Store s) {
                s.commitPrepared(b("xid-x"));
            }

            @Override
            boolean happened(Store s) {
                boolean published = Arrays.equals(b("prepared"), read(s, "x"));
                assertEquals(published, s.recover().isEmpty(), "a branch is published exactly when it is no longer prepared");
                return published;
            }
        },
        ROLLBACK_PREPARED {
            @Override
            void before(Store s) {
                prepareX(s);
            }

            @Override
            void make(Store s) {
                s.rollbackPrepared(b("xid-x"));
            }

            @Override
            boolean happened(Store s) {
                assertEquals(null, read(s, "x"), "a rolled-back branch is never published");
                return s.recover().isEmpty();
            }
        },
        CREATE_SNAPSHOT {
            @Override
            void make(Store s) {
                s.createSnapshot("new");
            }

            @Override
            boolean happened(Store s) {
                return s.snapshots().stream().anyMatch(i -> i.name().equals("new"));
            }
        },
        DELETE_SNAPSHOT {
            @Override
            void before(Store s) {
                s.createSnapshot("old");
            }

            @Override
            void make(Store s) {
                s.deleteSnapshot("old");
            }

            @Override
            boolean happened(Store s) {
                return s.snapshots().stream().noneMatch(i -> i.name().equals("old"));
            }
        };

        void before(Store s) {
        }

        abstract void make(Store s);

        abstract boolean happened(Store s);

        private static void prepareX(Store s) {
            try (Txn t = s.begin()) {
                t.put(b("x"), b("prepared"));
                t.prepare(b("xid-x"));
            }
        }
    }

    /** Holds the first force after {@link #arm} until {@link #release}. */
    private static final class ForceGate {
        private final AtomicReference<CountDownLatch> forcing = new AtomicReference<>();
        private final CountDownLatch release = new CountDownLatch(1);

        CountDownLatch arm() {
            CountDownLatch f = new CountDownLatch(1);
            forcing.set(f);
            return f;
        }

        void release() {
            release.countDown();
        }

        StoreConfig on(StoreConfig cfg) {
            return cfg.channelOpener((p, o) -> new ForwardingChannel(FileChannel.open(p, o)) {
                @Override
                public void force(boolean metaData) throws IOException {
                    CountDownLatch f = forcing.getAndSet(null);
                    if (f != null) {
                        f.countDown();
                        try {
                            if (!release.await(60, TimeUnit.SECONDS)) {
                                throw new IOException("the held force was never released");
                            }
                        } catch (InterruptedException e) {
                            throw new IOException(e);
                        }
                    }
                    super.force(metaData);
                }
            });
        }
    }

    private static final StoreConfig CFG = StoreConfig.defaults().sizeBytes(64L << 20).cacheBytes(4L << 20);

    @ParameterizedTest
    @EnumSource(Change.class)
    void aCommitWaitingForItsSyncWhileTheStoreClosesIsThereAfterReopenExactlyWhenItWasToldItCommitted(Change change)
            throws Exception {
        Path file = dir.resolve("s.cairn");
        ForceGate gate = new ForceGate();
        ExecutorService pool = Executors.newCachedThreadPool();
        Throwable told;
        try {
            Store s = Store.create(file, gate.on(CFG));
            change.before(s);
            put(s, "w", b("0")); // the newest sync lists blocks, so a close syncs once more
            CountDownLatch forcing = gate.arm();
            Future<?> first = pool.submit(() -> put(s, "a", b("1")));
            assertTrue(forcing.await(30, TimeUnit.SECONDS), "the first commit's sync never reached its force");

            AtomicReference<Thread> committer = new AtomicReference<>();
            Future<Throwable> inFlight = pool.submit(() -> {
                committer.set(Thread.currentThread());
                try {
                    change.make(s);
                    return null;
                } catch (CairnException e) {
                    return e;
                }
            });
            awaitParked(committer, "the commit under test", CloseRaceTest::waitsForItsSync);

            AtomicReference<Thread> closer = new AtomicReference<>();
            Future<?> closed = pool.submit(() -> {
                closer.set(Thread.currentThread());
                s.close();
            });
            awaitParked(closer, "close", blocker -> true);

            gate.release();
            first.get(30, TimeUnit.SECONDS);
            told = inFlight.get(30, TimeUnit.SECONDS);
            closed.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        try (Store s = Store.open(file, CFG)) {
            assertArrayEquals(b("1"), read(s, "a"), "the first commit returned, so it is durable");
            boolean happened = change.happened(s);
            if (happened != (told == null)) {
                fail(change + (happened ? " is in the reopened store, but its caller was told it failed: " + told
                        : " is not in the reopened store, but its caller was told it committed"));
            }
            assertTrue(s.check().ok(), () -> s.check().toString());
        }
    }

    /**
     * The sync that a close waits for hands nothing back to the syncers: a
     * stopping adapter may no longer run their tasks, and handing back what
     * that sync freed would then fail and latch the store read-only (and
     * leave its last superblock unsettled) although every commit succeeded.
     */
    @Test
    void theSyncACloseWaitsForStartsNoSyncerTaskForWhatItFreed() throws Exception {
        Path file = dir.resolve("s.cairn");
        ForceGate gate = new ForceGate();
        AtomicBoolean stopping = new AtomicBoolean();
        Workers refusingOnceStopping = (name, task) -> {
            if (stopping.get()) {
                throw new CairnException("the server refused engine task " + name + ": the adapter is stopping");
            }
            ThreadWorkers.shared().run(name, task);
        };
        byte[] replaced = BIG.clone();
        replaced[0]++;
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            Store s = Store.create(file, gate.on(CFG.syncers(1).workers(refusingOnceStopping)));
            CountDownLatch forcing = gate.arm();
            Future<?> first = pool.submit(() -> put(s, "big", BIG)); // frees nothing: the store was empty
            assertTrue(forcing.await(30, TimeUnit.SECONDS), "the first commit's sync never reached its force");
            AtomicReference<Thread> committer = new AtomicReference<>();
            Future<?> inFlight = pool.submit(() -> {
                committer.set(Thread.currentThread());
                put(s, "big", replaced); // frees the first value's chunks: several releases
            });
            awaitParked(committer, "the replacing commit", CloseRaceTest::waitsForItsSync);
            stopping.set(true);
            Future<?> closed = pool.submit(s::close);
            gate.release();
            first.get(30, TimeUnit.SECONDS);
            inFlight.get(30, TimeUnit.SECONDS);
            closed.get(30, TimeUnit.SECONDS);
            assertEquals(null, s.readOnlyReason(), "closing with a commit in flight made the store read-only");
        } finally {
            pool.shutdownNow();
        }
        try (Store s = Store.open(file, CFG)) {
            assertArrayEquals(replaced, read(s, "big"));
            assertTrue(s.check().ok(), () -> s.check().toString());
        }
    }

    @Test
    void aCommitAfterCloseIsRefusedAsClosedAndLeavesNothing() {
        Path file = dir.resolve("s.cairn");
        Store s = Store.create(file, CFG);
        Txn t = s.begin();
        t.put(b("k"), b("v"));
        s.close();
        StoreClosedException e = assertThrows(StoreClosedException.class, t::commit);
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("closed"), e.getMessage());
        try (Store again = Store.open(file, CFG)) {
            assertEquals(null, read(again, "k"));
            assertEquals(0, again.stats().keys());
        }
    }

    /** Parked by the commit machinery (the commit queue or the group sync), waiting for a sync to settle it. */
    private static boolean waitsForItsSync(Object blocker) {
        return blocker.getClass().getName().startsWith("dev.cairn.engine.txn.");
    }

    /** Returns once {@code who} is parked on a blocker that {@code on} accepts; fails after 30 s. */
    private static void awaitParked(AtomicReference<Thread> who, String what,
                                    Predicate<Object> on) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Thread t = who.get();
            Object blocker = t == null ? null : LockSupport.getBlocker(t);
            if (blocker != null && t.getState() == Thread.State.WAITING && on.test(blocker)) {
                return;
            }
            Thread.onSpinWait();
        }
        fail(what + " never came to wait (blocker " + (who.get() == null ? "-" : LockSupport.getBlocker(who.get())) + ")");
    }

    private static void put(Store s, String key, byte[] value) {
        try (Txn t = s.begin()) {
            t.put(b(key), value);
            t.commit();
        }
    }

    private static byte[] read(Store s, String key) {
        try (Txn t = s.begin()) {
            return t.get(b(key));
        }
    }
}
