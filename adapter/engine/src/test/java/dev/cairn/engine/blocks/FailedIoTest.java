package dev.cairn.engine.blocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.ReadOnlyStoreException;
import dev.cairn.engine.BlockStore;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.disk.FaultyChannel;
import dev.cairn.engine.work.Workers;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A write or force that fails turns the store read-only for good, with a
 * clear error; it is never retried as if it had worked; a reopen recovers the
 * last completed sync.
 */
class FailedIoTest {

    @TempDir
    Path dir;

    /** 0: the force of a sync (after its superblock), 1..: the n-th write of a sync. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5})
    void aFailedWriteOrForceMakesTheStoreReadOnlyAndKeepsTheLastSync(int fault) {
        Path file = dir.resolve("s.cairn");
        AtomicReference<FaultyChannel> ch = new AtomicReference<>();
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(4L << 20).arenas(2).cacheBytes(1 << 20)
                .channelOpener((p, o) -> {
                    ch.set(new FaultyChannel(FileChannel.open(p, o)));
                    return ch.get();
                });
        Workload w;
        long lastGood;
        try (BlockStore s = BlockStore.create(file, cfg)) {
            w = new Workload(s, fault, 20);
            for (int i = 0; i < 5; i++) {
                w.step();
            }
            lastGood = s.durableGen();
            if (fault == 0) {
                ch.get().forcesUntilFailure.set(0);
            } else {
                ch.get().writesUntilFailure.set(fault - 1);
            }
            ReadOnlyStoreException e = assertThrows(ReadOnlyStoreException.class, w::step);
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
            assertTrue(s.isReadOnly() && s.stats().readOnly());
            int forces = ch.get().forces.get();
            // Refused before any I/O, not retried:
            assertThrows(ReadOnlyStoreException.class, () -> s.newBlock(BlockFormat.TYPE_DATA, 0));
            assertThrows(ReadOnlyStoreException.class, () -> s.sync(List.of()));
            assertEquals(forces, ch.get().forces.get());
            // Reads still work.
            Workload.assertHolds(s, w.states.get(lastGood));
        }
        try (BlockStore s = BlockStore.open(file, StoreConfig.defaults())) {
            // A failed force may or may not have left the new superblock and its
            // blocks on disk; a failed write leaves the last completed sync.
            long gen = s.durableGen();
            assertTrue(gen == lastGood || (fault == 0 && gen == lastGood + 1), "mounted generation " + gen);
            Workload.assertHolds(s, w.states.get(gen));
            assertTrue(s.check(Workload.WALKER).ok(), () -> s.check(Workload.WALKER).toString());
        }
    }

    /**
     * A sync that fails after its superblock is durable, in what it does for
     * the caller then, also stops the store and says so: the generation is
     * on disk, but the caller's view of it is not known. Going on made every
     * later commit of a key conflict, for good, with a commit that never
     * became visible.
     */
    @org.junit.jupiter.api.Test
    void aSyncFailingAfterItsSuperblockIsDurableMakesTheStoreReadOnly() {
        Path file = dir.resolve("s.cairn");
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(4L << 20).arenas(2).cacheBytes(1 << 20);
        long gen;
        try (BlockStore s = BlockStore.create(file, cfg)) {
            gen = s.durableGen() + 1;
            ReadOnlyStoreException e = assertThrows(ReadOnlyStoreException.class,
                    () -> s.sync(List::of, () -> {
                        throw new IllegalStateException("the caller's bookkeeping broke");
                    }));
            assertTrue(e.getMessage().contains("generation " + gen + " is durable")
                    && e.getMessage().contains("the caller's bookkeeping broke"), e.getMessage());
            assertTrue(s.isReadOnly());
            assertEquals(gen, s.durableGen());
            assertThrows(ReadOnlyStoreException.class, () -> s.newBlock(BlockFormat.TYPE_DATA, 0));
        }
        try (BlockStore s = BlockStore.open(file, StoreConfig.defaults())) {
            assertEquals(gen, s.durableGen(), "the generation was durable and stays so");
        }
    }

    /**
     * A sync that fails only in handing back what it freed (here the server
     * refuses the task that would release a block) has made its commits
     * durable and visible: it returns as a success, for its committers must
     * not be told to redo them, and the store refuses writes from then on.
     */
    @org.junit.jupiter.api.Test
    void aSyncFailingOnlyInHandingBackFreedBlocksSucceedsAndStopsLaterWrites() {
        Path file = dir.resolve("s.cairn");
        AtomicBoolean refuse = new AtomicBoolean();
        // Tasks are never run (the barriers drain the queues themselves), so
        // which call asks for one is certain: the release of the second freed
        // block (a lone entry waits for the next barrier; a second asks for a
        // task).
        Workers workers = (name, task) -> {
            if (refuse.get()) {
                throw new dev.cairn.api.CairnException("the server refused engine task " + name);
            }
        };
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(4L << 20).arenas(2).cacheBytes(1 << 20).workers(workers);
        long gen;
        dev.cairn.engine.block.Bptr kept;
        try (BlockStore s = BlockStore.create(file, cfg)) {
            dev.cairn.engine.block.Bptr old = s.write(s.newBlock(BlockFormat.TYPE_DATA, 0));
            dev.cairn.engine.block.Bptr older = s.write(s.newBlock(BlockFormat.TYPE_DATA, 0));
            s.sync(List.of(old, older));
            kept = s.write(s.newBlock(BlockFormat.TYPE_DATA, 0));
            s.free(old);
            s.free(older);
            gen = s.sync(() -> List.of(kept), () -> refuse.set(true));
            assertEquals(gen, s.durableGen());
            assertEquals(List.of(kept), s.roots().subList(0, 1));
            assertTrue(s.isReadOnly());
            assertTrue(s.readOnlyReason().contains("generation " + gen + " is durable, but handing back")
                    && s.readOnlyReason().contains("refused"), s.readOnlyReason());
            assertThrows(ReadOnlyStoreException.class, () -> s.newBlock(BlockFormat.TYPE_DATA, 0));
        }
        try (BlockStore s = BlockStore.open(file, StoreConfig.defaults())) {
            assertEquals(gen, s.durableGen(), "the generation was durable and stays so");
            assertEquals(List.of(kept), s.roots().subList(0, 1));
        }
    }
}
