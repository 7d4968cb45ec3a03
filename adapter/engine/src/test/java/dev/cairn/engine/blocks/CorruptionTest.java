package dev.cairn.engine.blocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.engine.BlockStore;
import dev.cairn.api.CorruptBlockException;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.cache.CachedBlock;
import dev.cairn.engine.check.CheckReport;
import dev.cairn.engine.sync.Superblock;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorruptionTest {

    private static final long SIZE = 4L << 20;
    private static final StoreConfig CFG = StoreConfig.defaults().sizeBytes(SIZE).arenas(2).cacheBytes(1 << 20);

    @TempDir
    Path dir;

    /** A store after {@code steps} syncs of the workload and one that settles them. */
    private Workload build(Path file, int steps) {
        return build(file, steps, true);
    }

    private Workload build(Path file, int steps, boolean settle) {
        try (BlockStore s = BlockStore.create(file, CFG)) {
            Workload w = new Workload(s, 11, 30);
            for (int i = 0; i < steps; i++) {
                w.step();
            }
            if (settle) {
                w.settle();
            }
            return w;
        }
    }

    private static void flip(Path file, long offset, int bit) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int v = raf.read();
            raf.seek(offset);
            raf.write(v ^ (1 << bit));
        }
    }

    @Test
    void aFlippedBitInAnyReachableBlockIsReportedNamingItsAddress() throws IOException {
        Path file = dir.resolve("s.cairn");
        Workload w = build(file, 20);
        Random rnd = new Random(5);
        List<Bptr> live;
        try (BlockStore s = BlockStore.open(file, CFG)) {
            live = w.states.get(s.durableGen()).live();
        }
        for (int trial = 0; trial < 10; trial++) {
            Bptr victim = trial == 0 ? null : live.get(rnd.nextInt(live.size()));
            long addr;
            try (BlockStore s = BlockStore.open(file, CFG)) {
                addr = victim == null ? s.roots().get(0).addr() : victim.addr(); // the root table is metadata
            }
            int offset = rnd.nextInt(16384);
            int bit = rnd.nextInt(8);
            flip(file, addr + offset, bit);
            try (BlockStore s = BlockStore.open(file, CFG)) {
                Bptr bp = victim == null ? s.roots().get(0) : victim;
                CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> s.read(bp).close());
                assertTrue(e.getMessage().contains(String.format("0x%x", addr)) && e.getMessage().contains("corrupt"),
                        e.getMessage());
                CheckReport r = s.check(Workload.WALKER);
                assertFalse(r.ok());
                assertTrue(r.toString().contains(String.format("0x%x", addr)), r.toString());
            }
            flip(file, addr + offset, bit); // mend it for the next trial
        }
        try (BlockStore s = BlockStore.open(file, CFG)) {
            assertTrue(s.check(Workload.WALKER).ok());
        }
    }

    /**
     * The price of forcing blocks and superblock together: a bad block the
     * newest superblock lists looks exactly like a crash before that force,
     * so mount takes the sync before and says why. (A store closed cleanly
     * has settled, so this is only ever the last sync before a crash.)
     */
    @Test
    void aBadBlockOfTheNewestUnsettledSyncRollsBackThatSyncAndSaysWhy() throws IOException {
        Path file = dir.resolve("s.cairn");
        Workload w = build(file, 6, false);
        Bptr root = w.states.get(6L).root(); // rewritten by every sync: born in generation 6
        flip(file, root.addr() + 100, 3);
        try (BlockStore s = BlockStore.open(file, CFG)) {
            assertEquals(5, s.durableGen());
            Workload.assertHolds(s, w.states.get(5L));
            CheckReport r = s.check(Workload.WALKER);
            assertTrue(r.ok() && r.notes().toString().contains("generation 6 is incomplete"), r.toString());
            // Where an administrator looks: it may have been an acknowledged commit.
            assertEquals(6, s.stats().rolledBackGeneration(), s.stats().toString());
            assertEquals(root.addr(), s.stats().rolledBackAddress(), s.stats().toString());
        }
        flip(file, root.addr() + 100, 3);
        try (BlockStore s = BlockStore.open(file, CFG)) {
            assertEquals(6, s.durableGen(), "mended, the newest sync mounts");
            assertEquals(-1, s.stats().rolledBackGeneration(), "a mount that passed over nothing says so");
            assertEquals(-1, s.stats().rolledBackAddress());
        }
    }

    @Test
    void aFlippedBitInALogBlockIsReportedAtMount() throws IOException {
        Path file = dir.resolve("s.cairn");
        build(file, 5);
        long logBlock;
        try (BlockStore s = BlockStore.open(file, CFG)) {
            logBlock = 3L * 16384; // arena 0: h0, h1, then its first log block
        }
        flip(file, logBlock + 40, 2);
        CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> BlockStore.open(file, CFG));
        assertTrue(e.getMessage().contains(String.format("0x%x", logBlock)) && e.getMessage().contains("corrupt"),
                e.getMessage());
    }

    @Test
    void aCorruptOlderSuperblockIsSurvivedWithNothingLost() throws IOException {
        Path file = dir.resolve("s.cairn");
        Workload w = build(file, 8); // settled: generation 9 is newest, in slot 1
        flip(file, Superblock.slotAddr(0, SIZE) + 30, 1);
        try (BlockStore s = BlockStore.open(file, CFG)) {
            assertEquals(9, s.durableGen());
            Workload.assertHolds(s, w.states.get(9L));
            CheckReport r = s.check(Workload.WALKER);
            assertTrue(r.ok() && r.notes().toString().contains("superblock 0"), r.toString());
        }
    }

    @Test
    void aCorruptNewestSuperblockFallsBackToThePreviousSyncWithEveryReadCorrect() throws IOException {
        Path file = dir.resolve("s.cairn");
        Workload w = build(file, 9); // settled: generation 10 is newest, in slot 0
        flip(file, Superblock.slotAddr(0, SIZE) + 30, 1);
        try (BlockStore s = BlockStore.open(file, CFG)) {
            // The newest state's superblock is in one place only: losing that
            // block to bit rot rolls back one sync, never to garbage.
            assertEquals(9, s.durableGen());
            Workload.assertHolds(s, w.states.get(9L));
            assertTrue(s.check(Workload.WALKER).ok());
        }
    }

    @Test
    void aCorruptArenaHeaderIsSurvivedThroughItsCopy() throws IOException {
        Path file = dir.resolve("s.cairn");
        Workload w = build(file, 9); // settled: generation 10
        long h0 = 16384; // arena 0 starts after superblock 0
        flip(file, h0 + 3, 0);
        try (BlockStore s = BlockStore.open(file, CFG)) {
            assertEquals(10, s.durableGen());
            Workload.assertHolds(s, w.states.get(10L));
            CheckReport r = s.check(Workload.WALKER);
            assertTrue(r.ok() && r.notes().toString().contains("h0"), r.toString());
            new Workload(s, 1, 5).step(); // and it keeps working
        }
        flip(file, h0 + 16384 + 3, 0); // now h1 too
        CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> BlockStore.open(file, CFG));
        assertTrue(e.getMessage().contains("h0 and h1"), e.getMessage());
    }

    @Test
    void readingAnAddressOutsideTheStoreIsRefused() {
        Path file = dir.resolve("s.cairn");
        build(file, 1);
        try (BlockStore s = BlockStore.open(file, CFG)) {
            assertThrows(RuntimeException.class, () -> s.read(new Bptr(SIZE * 2, 0, 0)).close());
            assertThrows(RuntimeException.class, () -> s.read(new Bptr(100, 0, 0)).close());
            try (CachedBlock ignored = s.read(s.roots().get(0))) {
                assertTrue(true);
            }
        }
    }
}
