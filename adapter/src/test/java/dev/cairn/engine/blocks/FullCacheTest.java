package dev.cairn.engine.blocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.cairn.engine.BlockStore;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.cache.CachedBlock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A block queued alone waits for the next sync's barrier rather than wake a
 * syncer (SyncQueue). If the cache fills meanwhile, the thread that needs a
 * buffer may be the very one that would reach that barrier: the cache must
 * then have the queue drained, not wait for good.
 */
class FullCacheTest {

    @TempDir
    Path dir;

    @Test
    void aFullCacheHasALoneQueuedBlockWrittenInsteadOfWaitingForTheNextSync() {
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(8L << 20).arenas(2).syncers(1)
                .cacheBytes(8L * BlockFormat.BLOCK_SIZE); // the smallest cache: one segment of 8 buffers
        try (BlockStore s = BlockStore.create(dir.resolve("s.cairn"), cfg)) {
            Bptr written;
            try (CachedBlock lone = s.newBlock(BlockFormat.TYPE_DATA, 0)) {
                written = s.write(lone); // queued alone: no syncer is woken for it
            }
            List<CachedBlock> held = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                held.add(s.newBlock(BlockFormat.TYPE_DATA, 0)); // dirty and held: never evictable
            }
            CachedBlock more = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> s.newBlock(BlockFormat.TYPE_DATA, 0),
                    "every buffer is held or queued, and the queued one waited for a sync that could not come");
            held.add(more);
            List<Bptr> roots = new ArrayList<>();
            roots.add(written);
            for (CachedBlock b : held) {
                Bptr p = s.write(b);
                b.close();
                if (roots.size() < 4) {
                    roots.add(p);
                }
            }
            s.sync(roots);
            assertEquals(roots, s.roots().subList(0, roots.size()));
        }
    }
}
