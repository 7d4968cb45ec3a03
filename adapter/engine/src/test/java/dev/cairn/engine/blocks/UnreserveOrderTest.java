package dev.cairn.engine.blocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.engine.BlockStore;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.cache.CachedBlock;
import dev.cairn.engine.check.CheckReport;
import dev.cairn.engine.disk.ForwardingChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A streamed chunk is given back (its transaction rolled back, or replaced
 * the value) while a syncer holds its write in a batch it has not issued yet.
 * The arena must not hand the address out before that write lands: a log
 * block is written directly, not through the syncers, so the chunk's late
 * write would overwrite the log, and a mount would pass over the sync.
 *
 * <p>The order is forced with a gate on the chunk's address: the syncer's
 * write of the chunk waits there until the sync's first own write (the log
 * tail, in pass 0) has landed, as a syncer thread descheduled at that moment
 * would.
 */
class UnreserveOrderTest {

    /** Enough allocations and then frees, all logged at once, to chain the log twice. */
    private static final int BLOCKS = 2100;

    @TempDir
    Path dir;

    /** Holds the first write that covers {@link #gate}, issued by a syncer, until another thread's write after {@link #arm}. */
    private static final class GatedChannel extends ForwardingChannel {
        volatile long gate = -1;
        volatile boolean armed;
        volatile Thread held;
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        GatedChannel(FileChannel real) {
            super(real);
        }

        void arm() {
            armed = true;
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            // The chunk may leave inside a longer write: a syncer that lags
            // behind gathers it with the data blocks just below it.
            boolean covers = gate >= position && gate < position + src.remaining();
            if (covers && held == null) {
                held = Thread.currentThread();
                holding.countDown();
                try {
                    if (!release.await(60, TimeUnit.SECONDS)) {
                        throw new IOException("the gated write was never released");
                    }
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                return real.write(src, position);
            }
            int n = real.write(src, position);
            if (armed && held != null && Thread.currentThread() != held) {
                release.countDown();
            }
            return n;
        }
    }

    @Test
    void aChunkGivenBackWhileItsWriteIsHeldIsNotReusedBeforeTheWriteLands() throws InterruptedException {
        Path file = dir.resolve("s.cairn");
        GatedChannel[] ch = new GatedChannel[1];
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(64L << 20).arenas(1).syncers(1).cacheBytes(2 << 20)
                .channelOpener((p, o) -> ch[0] = new GatedChannel(FileChannel.open(p, o)));
        long acknowledged;
        long chunkAddr;
        try (BlockStore s = BlockStore.create(file, cfg)) {
            List<Bptr> blocks = new ArrayList<>();
            for (int i = 0; i < BLOCKS; i++) {
                blocks.add(data(s, i));
            }
            CachedBlock chunk = s.newReservedBlock(0); // the lowest free block
            chunkAddr = chunk.addr();
            ch[0].gate = chunkAddr;
            Workload.fill(chunk.data(), 99_999);
            try (chunk) {
                s.write(chunk);
            }
            assertTrue(ch[0].holding.await(60, TimeUnit.SECONDS), "the syncer never wrote the chunk");
            assertTrue(s.unreserve(chunkAddr), "the chunk was not reserved");
            // Frees of blocks born in this generation are logged at once: the log
            // chains to the lowest free block, and that is the sync's tail.
            int before = s.stats().arenaLogBlocks()[0];
            while (!blocks.isEmpty() && s.stats().arenaLogBlocks()[0] == before) {
                s.free(blocks.remove(blocks.size() - 1));
            }
            assertEquals(before + 1, s.stats().arenaLogBlocks()[0], "the log did not chain");
            blocks.forEach(s::free);
            ch[0].arm();
            acknowledged = s.sync(List.of());
        }
        try (BlockStore s = BlockStore.open(file, StoreConfig.defaults())) {
            assertEquals(acknowledged, s.durableGen(), String.format(
                    "mount passed over the acknowledged sync (the chunk at 0x%x was given back while its write was held)",
                    chunkAddr));
            CheckReport r = s.check(Workload.WALKER);
            assertTrue(r.ok(), r.toString());
        }
    }

    private static Bptr data(BlockStore s, long seed) {
        try (CachedBlock b = s.newBlock(BlockFormat.TYPE_DATA, 0)) {
            Workload.fill(b.data(), seed);
            return s.write(b);
        }
    }
}
