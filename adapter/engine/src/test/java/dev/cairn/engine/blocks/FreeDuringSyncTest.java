package dev.cairn.engine.blocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.engine.BlockStore;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.cache.CachedBlock;
import dev.cairn.engine.disk.FaultyChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A block that the root being synced reaches is freed while that sync runs
 * (as a writer's next transaction would). It must not be reused once the
 * sync completes: the durable root still reaches it until a later sync.
 */
class FreeDuringSyncTest {

    @TempDir
    Path dir;

    @Test
    void aBlockFreedWhileItsRootIsBeingSyncedIsNotReusedByThatSync() {
        Path file = dir.resolve("s.cairn");
        AtomicReference<FaultyChannel> ch = new AtomicReference<>();
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(1L << 20).arenas(1).cacheBytes(1 << 20)
                .channelOpener((p, o) -> {
                    ch.set(new FaultyChannel(FileChannel.open(p, o)));
                    return ch.get();
                });
        Bptr kept;
        try (BlockStore s = BlockStore.create(file, cfg)) {
            kept = data(s, 1);
            // During generation 1's sync, which makes `kept` the durable root,
            // another writer frees it.
            ch.get().onNextForce.set(() -> s.free(kept));
            s.sync(List.of(kept));
            // Fill the free space with other bytes: a wrongly released `kept`
            // would be handed out and overwritten here.
            List<Bptr> others = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                others.add(data(s, 1000 + i));
            }
            others.forEach(s::free);
        } // closed without another sync: generation 1 is what is durable
        try (BlockStore s = BlockStore.open(file, StoreConfig.defaults())) {
            assertEquals(1, s.durableGen());
            assertEquals(kept, s.roots().get(0));
            try (CachedBlock b = s.read(kept)) { // hash-verified
                assertTrue(b.data().length == BlockFormat.BLOCK_SIZE);
            }
        }
    }

    private static Bptr data(BlockStore s, long seed) {
        try (CachedBlock b = s.newBlock(BlockFormat.TYPE_DATA, 0)) {
            Workload.fill(b.data(), seed);
            return s.write(b);
        }
    }
}
