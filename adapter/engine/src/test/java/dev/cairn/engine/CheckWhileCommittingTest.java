package dev.cairn.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.check.CheckReport;
import dev.cairn.engine.disk.ForwardingChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A check of a live store walks the durable version it started on while
 * commits go on: they are not held up until it ends, and what they free and
 * reuse meanwhile is never a block of the version it walks.
 *
 * <p>The walk is held at a gate: the checking thread's first read of a tree
 * node (past the mount, which reads only superblocks, headers and logs: a
 * sync with nothing new before the check leaves its manifest without tree
 * nodes). While it is held, commits rewrite every key and value, each
 * freeing the blocks the one before wrote, so the version being walked is
 * freed whole and its space is taken again; then the walk goes on.
 */
class CheckWhileCommittingTest {

    @TempDir
    Path dir;

    private static final int KEYS = 6000;
    private static final int LARGE = 12;

    /** Holds the first read of a tree node by {@link #checker} until {@link #release}. */
    private static final class WalkGate extends ForwardingChannel {
        volatile Thread checker;
        final CountDownLatch walking = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        WalkGate(FileChannel real) {
            super(real);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            int start = dst.position();
            int n = real.read(dst, position);
            if (Thread.currentThread() == checker && walking.getCount() > 0 && n >= 2) {
                short type = dst.getShort(start);
                if (type == BlockFormat.TYPE_PIVOT || type == BlockFormat.TYPE_LEAF) {
                    walking.countDown();
                    try {
                        if (!release.await(60, TimeUnit.SECONDS)) {
                            throw new IOException("the held walk was never released");
                        }
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                }
            }
            return n;
        }
    }

    @Test
    void commitsGoOnWhileACheckWalksAndTheCheckStillSeesItsVersionWhole() throws Exception {
        Path file = dir.resolve("s.cairn");
        WalkGate[] gate = new WalkGate[1];
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(64L << 20).arenas(4).cacheBytes(4L << 20)
                .channelOpener((p, o) -> gate[0] = new WalkGate(FileChannel.open(p, o)));
        ExecutorService pool = Executors.newCachedThreadPool();
        try (Store s = Store.create(file, cfg)) {
            writeEverything(s, 0);
            s.sync();
            long walked = s.generation();

            Future<CheckReport> checked = pool.submit(() -> {
                gate[0].checker = Thread.currentThread();
                return s.check();
            });
            assertTrue(gate[0].walking.await(30, TimeUnit.SECONDS), "the check never reached its walk");

            Future<?> rounds = pool.submit(() -> {
                for (int round = 1; round <= 3; round++) {
                    writeEverything(s, round);
                }
            });
            try {
                rounds.get(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                gate[0].release.countDown();
                fail("commits made while a check walks waited for the check to end");
            }
            assertTrue(s.generation() >= walked + 3, "the commits during the walk were synced");

            gate[0].release.countDown();
            CheckReport r = checked.get(60, TimeUnit.SECONDS);
            assertTrue(r.ok(), "the version the check walked was changed under it:\n" + r);
            assertEquals(walked, r.syncGen(), "the check walks the version durable when it began");
            assertTrue(r.reachableBlocks() > 150, "the walk covered the store: " + r);
            assertEveryValue(s, 3);
            CheckReport after = s.check();
            assertTrue(after.ok(), after::toString);
        } finally {
            pool.shutdownNow();
        }
        try (Store s = Store.open(file, StoreConfig.defaults())) {
            assertEveryValue(s, 3);
            assertTrue(s.check().ok());
        }
    }

    /** Writes every key and large value anew, in commits of a few hundred keys, each freeing what the last wrote. */
    private static void writeEverything(Store s, int round) {
        for (int from = 0; from < KEYS; from += 500) {
            try (Txn t = s.begin()) {
                for (int i = from; i < from + 500; i++) {
                    t.put(key(i), value(i, round, 300));
                }
                t.commit();
            }
        }
        for (int i = 0; i < LARGE; i++) {
            try (Txn t = s.begin()) {
                t.put(("large-" + i).getBytes(UTF_8), value(i, round, 60_000));
                t.commit();
            }
        }
    }

    private static void assertEveryValue(Store s, int round) {
        try (Txn t = s.begin()) {
            for (int i = 0; i < KEYS; i++) {
                assertArrayEquals(value(i, round, 300), t.get(key(i)));
            }
            for (int i = 0; i < LARGE; i++) {
                assertTrue(Arrays.equals(value(i, round, 60_000), t.get(("large-" + i).getBytes(UTF_8))),
                        "large value " + i);
            }
        }
    }

    private static byte[] key(int i) {
        return String.format("key-%05d", i).getBytes(UTF_8);
    }

    private static byte[] value(int i, int round, int length) {
        byte[] v = new byte[length];
        long x = i * 0x9E3779B97F4A7C15L + round;
        for (int j = 0; j < length; j++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            v[j] = (byte) x;
        }
        return v;
    }
}
