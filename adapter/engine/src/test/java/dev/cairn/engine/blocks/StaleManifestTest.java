package dev.cairn.engine.blocks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.engine.BlockStore;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.cache.CachedBlock;
import dev.cairn.engine.disk.FaultyChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A block the syncers wrote after sync G-1's fence, freed at once (it was born
 * in G), released by G-1's pass 4 and taken by the arena as its next log
 * block, still the log tail when G seals: G's manifest must not list the
 * block's old hash for an address whose bytes are now the log tail, or a crash
 * after G's force makes mount reject G (acknowledged) and open G-1.
 *
 * <p>The syncers run on the calling thread (inline {@code Workers}) so the
 * order is exactly the one described; the crash after G's force is a close
 * that writes nothing more.
 */
class StaleManifestTest {

    /** More deferred frees than one log block holds, so G's seal chains to a new tail. */
    private static final int FREED_AT_SEAL = 2100;

    @TempDir
    Path dir;

    @Test
    void aReleasedBlockReusedAsTheLogTailDoesNotMakeMountRejectTheSync() throws IOException {
        Path file = dir.resolve("s.cairn");
        AtomicReference<FaultyChannel> ch = new AtomicReference<>();
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(64L << 20).arenas(1).syncers(1).cacheBytes(2 << 20)
                .workers((name, task) -> task.run())
                .channelOpener((p, o) -> {
                    ch.set(new FaultyChannel(FileChannel.open(p, o)));
                    return ch.get();
                });
        long acknowledged;
        long x;
        try (BlockStore s = BlockStore.create(file, cfg)) {
            List<Bptr> old = new ArrayList<>();
            for (int i = 0; i < FREED_AT_SEAL; i++) {
                old.add(data(s, i));
            }
            s.sync(List.of()); // generation 1: the blocks G frees at its seal
            AtomicReference<Bptr> written = new AtomicReference<>();
            // Inside generation 2's force, after its fence: a commit of generation 3
            // writes X (the syncer writes it at once) and a later one replaces it.
            ch.get().onNextForce.set(() -> {
                Bptr b = data(s, 10_000);
                written.set(b);
                s.free(b); // born in 3 > 2, the generation being synced: freed at once
            });
            s.sync(List.of()); // generation 2; its pass 4 retires X, queued for release
            x = written.get().addr();
            data(s, 20_000); // a write starts the syncer, which releases X after it
            old.forEach(s::free); // deferred to generation 3's seal
            int logBlocks = s.stats().arenaLogBlocks()[0];
            acknowledged = s.sync(List.of()); // generation 3: its seal chains the log to X, the lowest free block
            assertEquals(logBlocks + 1, s.stats().arenaLogBlocks()[0], "the log did not chain at generation 3's seal");
        } // a crash right after generation 3's force: nothing more is written
        // The sequence happened: X's address now holds the log tail.
        try (FileChannel f = FileChannel.open(file)) {
            ByteBuffer head = ByteBuffer.allocate(2);
            f.read(head, x);
            assertEquals(BlockFormat.TYPE_LOG, head.getShort(0), String.format("block 0x%x is not the log tail", x));
        }
        try (BlockStore s = BlockStore.open(file, StoreConfig.defaults())) {
            assertEquals(acknowledged, s.durableGen(), String.format(
                    "mount passed over acknowledged generation %d (block 0x%x, released and reused as the log tail)",
                    acknowledged, x));
        }
    }

    private static Bptr data(BlockStore s, long seed) {
        try (CachedBlock b = s.newBlock(BlockFormat.TYPE_DATA, 0)) {
            Workload.fill(b.data(), seed);
            return s.write(b);
        }
    }
}
