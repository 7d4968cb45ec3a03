package dev.cairn.engine.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.engine.ReadOnlyStoreException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreFileTest {

    @TempDir
    Path dir;

    /**
     * Linux reports a writeback error to one fsync of an open file only. So
     * a force that comes while another is under way must wait for it, and
     * when that one fails, fail too, never reaching the disk as if nothing
     * had happened: here the first force is held inside the channel and then
     * fails, and the second, called meanwhile, may not enter the channel.
     */
    @Test
    void aForceDuringAFailingOneWaitsForItAndFailsToo() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch firstEntered = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        ChannelOpener opener = (p, o) -> new ForwardingChannel(FileChannel.open(p, o)) {
            @Override
            public void force(boolean metaData) throws IOException {
                mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                try {
                    if (calls.getAndIncrement() == 0) {
                        firstEntered.countDown();
                        releaseFirst.await();
                        throw new IOException("injected fsync failure");
                    }
                    super.force(metaData);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                } finally {
                    inside.decrementAndGet();
                }
            }
        };
        try (StoreFile file = StoreFile.create(dir.resolve("file"), opener)) {
            AtomicReference<Throwable> first = new AtomicReference<>();
            AtomicReference<Throwable> second = new AtomicReference<>();
            Thread a = new Thread(() -> run(file, first));
            a.start();
            assertTrue(firstEntered.await(10, TimeUnit.SECONDS));
            Thread b = new Thread(() -> run(file, second));
            b.start();
            b.join(300); // time for the second force to reach the channel, were it let through
            releaseFirst.countDown();
            a.join(10_000);
            b.join(10_000);
            assertInstanceOf(ReadOnlyStoreException.class, first.get());
            assertInstanceOf(ReadOnlyStoreException.class, second.get(), "the force after a failed one succeeded");
            assertTrue(second.get().getMessage().contains("fsync"), second.get().getMessage());
            assertEquals(1, mostInside.get(), "two forces were in the channel at once");
            assertEquals(1, calls.get(), "the second force reached the disk after the first had failed");
        }
    }

    private static void run(StoreFile file, AtomicReference<Throwable> outcome) {
        try {
            file.force();
        } catch (Throwable t) {
            outcome.set(t);
        }
    }
}
