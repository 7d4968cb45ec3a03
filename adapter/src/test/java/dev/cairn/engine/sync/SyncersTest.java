package dev.cairn.engine.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.cairn.engine.Workers;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.cache.BlockCache;
import dev.cairn.engine.cache.CachedBlock;
import dev.cairn.engine.disk.ChannelOpener;
import dev.cairn.engine.disk.StoreFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
     * A one-put commit queues a block (which starts a syncer task) and at once
     * calls the barrier. The barrier must write the block itself rather than
     * wait for a thread to pick the task up; the task, when it finally runs,
     * must leave the queue alone, and the queue must go on working.
     */
    @Test
    void aBarrierWritesItselfWhatATaskNotYetBegunWouldHaveWritten() throws Exception {
        HeldWorkers workers = new HeldWorkers();
        BlockCache cache = new BlockCache(1 << 20);
        Path path = dir.resolve("file");
        try (StoreFile file = StoreFile.create(path, ChannelOpener.PLAIN)) {
            Syncers syncers = new Syncers(1, 64, 100, workers, file, cache, addr -> { });

            CachedBlock first = filled(cache, B, (byte) 1);
            syncers.write(0, first, 11);
            assertEquals(1, workers.held.size(), "queueing into an idle queue asks for a task");

            Map<Long, Long> written = assertTimeoutPreemptively(Duration.ofSeconds(10), syncers::barrier,
                    "the barrier waited for a task that had not begun");
            assertEquals(Map.of((long) B, 11L), written);
            assertArrayEquals(block((byte) 1), Arrays.copyOfRange(Files.readAllBytes(path), B, 2 * B));

            CachedBlock second = filled(cache, 3 * B, (byte) 2);
            syncers.write(0, second, 22);
            assertEquals(2, workers.held.size(), "the queue went idle after the barrier, so a new task is asked for");
            workers.held.take().run(); // one of the two is stale: it must return without draining
            assertEquals(2 * B, Files.size(path), "a stale task wrote the queue's block");
            workers.held.take().run(); // the other drains, lingers a moment, then leaves
            assertArrayEquals(block((byte) 2), Arrays.copyOfRange(Files.readAllBytes(path), 3 * B, 4 * B));
            assertEquals(Map.of(3L * B, 22L), assertTimeoutPreemptively(Duration.ofSeconds(10), syncers::barrier));
        }
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
