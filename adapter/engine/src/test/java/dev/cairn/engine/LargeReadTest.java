package dev.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.CorruptBlockException;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.object.ObjectLayout;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large value is read block by block straight into the caller's array or
 * stream buffer (cached blocks copied from the cache, the others read from
 * disk, consecutive ones in one read): the bytes must come back exactly, in
 * every mix of cached and uncached blocks, and a bad block anywhere in a run
 * must be reported by its address, never returned.
 */
class LargeReadTest {

    /** A cache of a few dozen blocks: a 1 MiB value (64 blocks) is part cached, part not. */
    private static final StoreConfig SMALL_CACHE = StoreConfig.defaults().sizeBytes(64L << 20).cacheBytes(40 * 17_000L);

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] random(int n, long seed) {
        byte[] v = new byte[n];
        new Random(seed).nextBytes(v);
        return v;
    }

    @Test
    void largeValuesReadBackExactlyWhateverPartOfThemIsCached() throws IOException {
        Path file = dir.resolve("s.cairn");
        // Whole chunks only, a short last chunk, one byte past a chunk, and values past the cache.
        int[] sizes = {ObjectLayout.CHUNK * 3, ObjectLayout.CHUNK * 5 + 1, 1 << 20, (1 << 20) + 12345, 3 << 20};
        try (Store s = Store.create(file, SMALL_CACHE)) {
            for (int i = 0; i < sizes.length; i++) {
                try (Txn t = s.begin()) {
                    t.put(b("v" + i), random(sizes[i], i));
                    t.commit();
                }
            }
            // Written blocks stay cached until pushed out: the last value is
            // partly cached now, so its reads mix copies from the cache and
            // runs from disk; and reading it caches none of the others.
            int last = sizes.length - 1;
            int cachedBefore = cached(s, "v" + last);
            int blocks = ObjectLayout.dataBlocks(s.blocks, s.blocks.roots().get(0), b("v" + last)).size();
            assertTrue(cachedBefore > 0 && cachedBefore < blocks, cachedBefore + " of " + blocks + " blocks cached");
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < sizes.length; i++) {
                    byte[] want = random(sizes[i], i);
                    try (Txn t = s.begin()) {
                        assertArrayEquals(want, t.get(b("v" + i)), "get of v" + i + ", round " + round);
                        try (InputStream in = t.getStream(b("v" + i))) {
                            assertArrayEquals(want, in.readAllBytes(), "stream of v" + i + ", round " + round);
                        }
                    }
                }
            }
            assertTrue(cached(s, "v" + last) <= cachedBefore, "reads cached none of its blocks");
        }
        try (Store s = Store.open(file, SMALL_CACHE); Txn t = s.begin()) {
            for (int i = 0; i < sizes.length; i++) {
                assertArrayEquals(random(sizes[i], i), t.get(b("v" + i)), "after reopen, v" + i);
                assertEquals(0, cached(s, "v" + i), "v" + i + " was read past the cache");
            }
        }
    }

    /** How many of {@code key}'s data blocks the cache holds. */
    private static int cached(Store s, String key) {
        int n = 0;
        for (Bptr bp : ObjectLayout.dataBlocks(s.blocks, s.blocks.roots().get(0), b(key))) {
            n += s.blocks.cache.contains(bp.addr()) ? 1 : 0;
        }
        return n;
    }

    @Test
    void aBadBlockInTheMiddleOfARunIsReportedByItsAddress() throws IOException {
        Path file = dir.resolve("s.cairn");
        byte[] big = random(1 << 20, 7);
        try (Store s = Store.create(file, SMALL_CACHE); Txn t = s.begin()) {
            t.put(b("big"), big);
            t.commit();
        }
        List<Bptr> blocks;
        try (BlockStore bs = BlockStore.open(file, SMALL_CACHE)) {
            blocks = ObjectLayout.dataBlocks(bs, bs.roots().get(0), b("big"));
        }
        assertEquals(64, blocks.size());
        // The value's blocks are consecutive, so a cold read takes them in runs.
        assertTrue(blocks.get(31).addr() + ObjectLayout.CHUNK == blocks.get(32).addr(), "chunks laid out in order");
        long addr = blocks.get(32).addr();
        flip(file, addr + 100);
        try (Store s = Store.open(file, SMALL_CACHE); Txn t = s.begin()) {
            CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> t.get(b("big")));
            assertTrue(e.getMessage().contains(String.format("block at 0x%x is corrupt", addr)), e.getMessage());
            CorruptBlockException es = assertThrows(CorruptBlockException.class, () -> {
                try (InputStream in = t.getStream(b("big"))) {
                    in.readAllBytes();
                }
            });
            assertTrue(es.getMessage().contains(String.format("block at 0x%x is corrupt", addr)), es.getMessage());
            // The blocks before it are sound and read as they were written;
            // reading exactly up to it (readNBytes ends with a read of length
            // 0) must not touch it.
            try (InputStream in = t.getStream(b("big"))) {
                assertArrayEquals(Arrays.copyOf(big, 32 * ObjectLayout.CHUNK), in.readNBytes(32 * ObjectLayout.CHUNK));
            }
        }
        flip(file, addr + 100);
        try (Store s = Store.open(file, SMALL_CACHE); Txn t = s.begin()) {
            assertArrayEquals(big, t.get(b("big")));
        }
    }

    private static void flip(Path file, long offset) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int v = raf.read();
            raf.seek(offset);
            raf.write(v ^ 0x10);
        }
    }
}
