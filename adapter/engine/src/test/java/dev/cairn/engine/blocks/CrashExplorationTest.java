package dev.cairn.engine.blocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.engine.BlockStore;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.check.CheckReport;
import dev.cairn.engine.disk.CrashImages;
import dev.cairn.engine.disk.MemoryChannel;
import dev.cairn.engine.disk.RecordingChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs a workload of allocations, writes, frees and syncs against a real
 * file, recording every write and force; then rebuilds the disk as a crash
 * before each recorded event could have left it ({@link CrashImages}: forced
 * only, all issued, torn in flight, random subsets), mounts it, and asserts
 * it is exactly a completed sync's state, never older than the last
 * acknowledged one, with nothing leaked.
 */
class CrashExplorationTest {

    private static final long STORE_BYTES = 2L << 20;

    @TempDir
    Path dir;

    @Test
    void everyCrashPointMountsTheLastCompletedSync() {
        explore(1, 160, 20, 1);
        explore(2, 60, 0, 2);
    }

    private void explore(int arenas, int steps, int churn, long seed) {
        Path file = dir.resolve("crash-" + arenas + ".cairn");
        AtomicReference<RecordingChannel> rec = new AtomicReference<>();
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(STORE_BYTES).arenas(arenas).cacheBytes(1 << 20)
                .channelOpener((p, o) -> {
                    rec.set(new RecordingChannel(FileChannel.open(p, o)));
                    return rec.get();
                });
        // Event count when each sync returned, and its generation: a crash
        // after that point must never mount anything older (acknowledged).
        List<long[]> acknowledged = new ArrayList<>();
        Workload work;
        int firstEvent;
        long logChains;
        long logCompressions;
        try (BlockStore s = BlockStore.create(file, cfg)) {
            firstEvent = rec.get().eventCount();
            work = new Workload(s, seed, 40).churn(churn);
            for (int i = 0; i < steps; i++) {
                if (i % 50 == 25) {
                    s.compressLogs();
                }
                long gen = work.step();
                acknowledged.add(new long[] {rec.get().eventCount(), gen});
            }
            assertTrue(s.check(Workload.WALKER).ok(), () -> s.check(Workload.WALKER).toString());
            logChains = s.stats().logChainings();
            logCompressions = s.stats().logCompressions();
        }
        int[] resumed = {0};
        int[] incomplete = {0};
        int states = CrashImages.explore(rec.get().events(), firstEvent, STORE_BYTES, acknowledged, seed,
                (image, expected, fallback, where, index) -> {
                    boolean resume = index % 37 == 0;
                    if (check(image, cfg, work, expected, fallback, where, resume) != expected) {
                        incomplete[0]++;
                    }
                    if (resume) {
                        resumed[0]++;
                    }
                });
        System.out.printf("crash exploration (%d arena(s), %d syncs, %d log chainings, %d log compressions):"
                + " %d crash states explored, %d resumed with more work, %d with the newest superblock's"
                + " generation incomplete%n",
                arenas, steps, logChains, logCompressions, states, resumed[0], incomplete[0]);
        assertTrue(states > 1000, "explored " + states);
        // Blocks and superblock are forced together: images that have the
        // superblock but not all its blocks must occur, and mount the generation before.
        assertTrue(incomplete[0] > 0, "no crash state had an incomplete newest generation");
    }

    /** @return the generation mounted */
    private long check(byte[] image, StoreConfig cfg, Workload work, long newest, long fallback, String where,
                       boolean resume) {
        StoreConfig mem = cfg.channelOpener((p, o) -> new MemoryChannel(image));
        try (BlockStore s = BlockStore.open(dir.resolve("image"), mem)) {
            long expected = s.durableGen();
            if (expected != newest) {
                assertEquals(fallback, expected, where + ": mounted neither the newest superblock's generation nor,"
                        + " it being incomplete, the one before");
            }
            Workload.State state = work.states.get(expected);
            if (state == null) {
                fail(where + ": mounted generation " + expected + " that no sync completed");
            }
            Workload.assertHolds(s, state);
            CheckReport r = s.check(Workload.WALKER);
            assertTrue(r.ok(), where + ": " + r);
            if (resume) {
                // The recovered store takes new work: allocation from the
                // replayed free map, appends to the truncated log tail.
                Workload more = work.resumeOn(s, expected, expected * 31 + 7);
                long g1 = more.step();
                long g2 = more.step();
                Workload.assertHolds(s, more.states.get(g2));
                CheckReport r2 = s.check(Workload.WALKER);
                assertTrue(r2.ok() && g2 == g1 + 1, where + ", after more work: " + r2);
            }
            return expected;
        } catch (AssertionError e) {
            throw e;
        } catch (RuntimeException e) {
            throw new AssertionError(where + ": " + e, e);
        }
    }
}
