package dev.cairn.engine.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.cache.BlockCache;
import dev.cairn.engine.cache.CachedBlock;
import dev.cairn.engine.disk.ChannelOpener;
import dev.cairn.engine.disk.StoreFile;
import dev.cairn.engine.work.Workers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who drains a syncer's queue, and when: no thread is woken for work a barrier is about to do, and a barrier never waits for one. */
class SyncersTest {

    private static final int B = BlockFormat.BLOCK_SIZE;

    @TempDir
    Path dir;

    /** Workers whose threads never come until the test runs the task itself. */
    private static final class HeldWorkers implements Workers {
        final BlockingQueue<Runnable> held = new LinkedBlockingQueue<>();

        @Override
        public void run(String name, Runnable task) {
            held.add(task);
        }
    }

    /**
     * A one-put commit's sync queues its root just before its barrier, and
     * after the sync one release: the barrier does each, and no thread is
     * woken for them. Any other write starts a task at once (its writer may
     * need a cache buffer before it reaches a barrier, and a queued block
     * cannot be evicted), and so does a second release.
     */
    @Test
    void onlyWorkTheNextBarrierWillDoWakesNoThread() throws Exception {
        HeldWorkers workers = new HeldWorkers();
        BlockCache cache = new BlockCache(1 << 20);
        List<Long> released = new ArrayList<>();
        Path path = dir.resolve("file");
        try (StoreFile file = StoreFile.create(path, ChannelOpener.PLAIN)) {
            Syncers syncers = new Syncers(1, 64, 100, workers, file, cache, released::add);

            syncers.writeBeforeBarrier(0, filled(cache, B, (byte) 1), 11);
            syncers.writeBeforeBarrier(0, filled(cache, 3 * B, (byte) 3), 33);
            assertEquals(0, workers.held.size(), "a write for the coming barrier asked for a task");
            assertEquals(Map.of((long) B, 11L, 3L * B, 33L), barrier(syncers));
            assertArrayEquals(block((byte) 1), Arrays.copyOfRange(Files.readAllBytes(path), B, 2 * B));

            syncers.free(0, 5L * B);
            assertEquals(0, workers.held.size(), "a lone release asked for a task");
            assertEquals(List.of(), released);
            assertEquals(Map.of(), barrier(syncers));
            assertEquals(List.of(5L * B), released);

            syncers.free(0, 6L * B);
            syncers.free(0, 7L * B);
            assertEquals(1, workers.held.size(), "a second release asks for a task");
            workers.held.take().run();
            assertEquals(List.of(5L * B, 6L * B, 7L * B), released, "the task drained both");

            syncers.write(0, filled(cache, 8 * B, (byte) 8), 88);
            assertEquals(1, workers.held.size(), "a write outside a sync asks for a task at once");
            workers.held.take().run();
            assertArrayEquals(block((byte) 8), Arrays.copyOfRange(Files.readAllBytes(path), 8 * B, 9 * B));
        }
    }

    /**
     * Blocks queued as a commit applies start a task, and the commit calls the
     * barrier at once. The barrier must write them itself rather than wait
     * for a thread to pick the task up; the task, when it finally runs, must
     * leave the queue alone, and the queue must go on working.
     */
    @Test
    void aBarrierWritesItselfWhatATaskNotYetBegunWouldHaveWritten() throws Exception {
        HeldWorkers workers = new HeldWorkers();
        BlockCache cache = new BlockCache(1 << 20);
        Path path = dir.resolve("file");
        try (StoreFile file = StoreFile.create(path, ChannelOpener.PLAIN)) {
            Syncers syncers = new Syncers(1, 64, 100, workers, file, cache, addr -> { });

            syncers.write(0, filled(cache, B, (byte) 1), 11);
            syncers.write(0, filled(cache, 2 * B, (byte) 2), 22);
            assertEquals(1, workers.held.size(), "a write into an idle queue asks for a task");

            Map<Long, Long> written = barrier(syncers);
            assertEquals(Map.of((long) B, 11L, 2L * B, 22L), written);
            assertArrayEquals(block((byte) 2), Arrays.copyOfRange(Files.readAllBytes(path), 2 * B, 3 * B));

            syncers.write(0, filled(cache, 4 * B, (byte) 4), 44);
            syncers.write(0, filled(cache, 6 * B, (byte) 6), 66);
            assertEquals(2, workers.held.size(), "the queue went idle after the barrier, so a new task is asked for");
            workers.held.take().run(); // one of the two is stale: it must return without draining
            assertEquals(3 * B, Files.size(path), "a stale task wrote the queue's blocks");
            workers.held.take().run(); // the other drains, lingers a moment, then leaves
            assertArrayEquals(block((byte) 6), Arrays.copyOfRange(Files.readAllBytes(path), 6 * B, 7 * B));
            assertEquals(Map.of(4L * B, 44L, 6L * B, 66L), barrier(syncers));
        }
    }

    /**
     * A writer that queues a block for every block the syncer writes keeps
     * the queue from ever emptying. A barrier that drains inline must stop at
     * its fence, not run on through what was queued after it (for as long as
     * the writer keeps up), and hand the rest to a task.
     */
    @Test
    void aBarrierDrainingInlineStopsAtItsFenceAndHandsTheRestToATask() throws Exception {
        HeldWorkers workers = new HeldWorkers();
        BlockCache cache = new BlockCache(4 << 20);
        Path path = dir.resolve("file");
        AtomicReference<Syncers> ref = new AtomicReference<>();
        AtomicInteger queuedByWriter = new AtomicInteger();
        ChannelOpener steadyWriter = (p, o) -> new dev.cairn.engine.disk.ForwardingChannel(
                FileChannel.open(p, o)) {
            @Override
            public int write(ByteBuffer src, long position) throws IOException {
                int n = super.write(src, position);
                int i = queuedByWriter.incrementAndGet();
                if (i < 200) {
                    ref.get().write(0, filled(cache, (long) (10 + i) * B, (byte) i), i);
                }
                return n;
            }
        };
        try (StoreFile file = StoreFile.create(path, steadyWriter)) {
            Syncers syncers = new Syncers(1, 1024, 1000, workers, file, cache, addr -> { });
            ref.set(syncers);
            syncers.writeBeforeBarrier(0, filled(cache, B, (byte) 1), 11);
            assertEquals(Map.of((long) B, 11L), barrier(syncers), "the barrier reports only what came before it");
            assertEquals(1, queuedByWriter.get(), "the barrier wrote past its fence what the writer queued after it");
            assertEquals(1, workers.held.size(), "what was queued after the fence is handed to a task");
            workers.held.take().run();
            assertEquals(200, queuedByWriter.get(), "the task drained what the writer went on queuing");
        }
    }

    /** The barrier, failing the test rather than hanging it when it waits for a task that never runs. */
    private static Map<Long, Long> barrier(Syncers syncers) {
        return assertTimeoutPreemptively(Duration.ofSeconds(10), syncers::barrier,
                "the barrier waited for a task that had not begun");
    }

    private static CachedBlock filled(BlockCache cache, long addr, byte value) {
        CachedBlock b = cache.create(addr);
        Arrays.fill(b.data(), value);
        cache.queued(b);
        return b;
    }

    private static byte[] block(byte value) {
        byte[] b = new byte[B];
        Arrays.fill(b, value);
        return b;
    }
}
