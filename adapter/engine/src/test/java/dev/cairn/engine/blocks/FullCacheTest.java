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
 * A block written outside a sync starts a syncer at once, even alone in its
 * queue: a queued block cannot be evicted, and if it waited for the next
 * sync's barrier, a writer needing a cache buffer before that barrier could
 * wait for good (it did, in an 8-buffer cache, while lone writes waited).
 */
class FullCacheTest {

    @TempDir
    Path dir;

    @Test
    void aLoneQueuedBlockIsWrittenBeforeTheNextSyncSoAFullCacheCanEvictIt() {
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(8L << 20).arenas(2).syncers(1)
                .cacheBytes(8L * BlockFormat.BLOCK_SIZE); // the smallest cache: one segment of 8 buffers
        try (BlockStore s = BlockStore.create(dir.resolve("s.cairn"), cfg)) {
            Bptr written;
            try (CachedBlock lone = s.newBlock(BlockFormat.TYPE_DATA, 0)) {
                written = s.write(lone); // queued alone, outside a sync
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
