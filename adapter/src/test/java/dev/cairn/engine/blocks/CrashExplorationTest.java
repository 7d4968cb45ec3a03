package dev.cairn.engine.blocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.engine.BlockStore;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.check.CheckReport;
import dev.cairn.engine.disk.MemoryChannel;
import dev.cairn.engine.disk.RecordingChannel;
import dev.cairn.engine.sync.Superblock;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs a workload of allocations, writes, frees and syncs against a real
 * file, recording every write and force; then rebuilds the disk as a crash
 * before each recorded event could have left it, in four ways, mounts it,
 * and asserts it is exactly a completed sync's state: the newest one whose
 * superblock reached the disk whole.
 *
 * <ul>
 * <li>only what was forced survived;</li>
 * <li>every write issued survived;</li>
 * <li>every write issued survived and the one in flight was torn (a prefix
 *     of it reached the disk, from 37 bytes to 12 KiB; the rest is the old bytes);</li>
 * <li>a random subset of the unforced writes survived.</li>
 * </ul>
 */
class CrashExplorationTest {

    private static final long STORE_BYTES = 2L << 20;
    /** How much of a torn write reaches the disk: within a superblock's used bytes, a sector, pages. */
    private static final int[] TEARS = {37, 200, 512, 4096, 8192, 12288};

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
        List<int[]> acknowledged = new ArrayList<>();
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
                acknowledged.add(new int[] {rec.get().eventCount(), (int) gen});
            }
            assertTrue(s.check(Workload.WALKER).ok(), () -> s.check(Workload.WALKER).toString());
            logChains = s.stats().logChainings();
            logCompressions = s.stats().logCompressions();
        }
        List<RecordingChannel.Event> events = rec.get().events();
        long fileSize = STORE_BYTES;
        // Where each generation's superblock write is in the event list.
        long[] sbSlotAddr = {Superblock.slotAddr(0, fileSize), Superblock.slotAddr(1, fileSize)};

        byte[] forced = new byte[(int) fileSize];
        int lastForce = -1;
        Random rnd = new Random(seed);
        int states = 0;
        int resumed = 0;
        for (int k = 0; k <= events.size(); k++) {
            if (k > 0 && events.get(k - 1).isForce()) {
                for (int w = lastForce + 1; w < k - 1; w++) {
                    apply(forced, events.get(w), -1);
                }
                lastForce = k - 1;
            }
            if (k < firstEvent) {
                continue;
            }
            RecordingChannel.Event inFlight = k < events.size() ? events.get(k) : null;
            for (int variant = 0; variant < 4; variant++) {
                if (variant == 2 && (inFlight == null || inFlight.isForce())) {
                    continue;
                }
                byte[] image = forced.clone();
                List<RecordingChannel.Event> applied = new ArrayList<>();
                for (int w = lastForce + 1; w < k; w++) {
                    RecordingChannel.Event e = events.get(w);
                    if (variant == 1 || variant == 2 || (variant == 3 && rnd.nextBoolean())) {
                        apply(image, e, -1);
                        applied.add(e);
                    }
                }
                int tornAt = -1;
                if (variant == 2) {
                    tornAt = TEARS[k % TEARS.length];
                    apply(image, inFlight, tornAt);
                }
                long expected = newestWholeSuperblock(image, sbSlotAddr);
                long floor = 0;
                for (int[] a : acknowledged) {
                    if (a[0] <= k) {
                        floor = a[1];
                    }
                }
                if (expected < floor) {
                    fail("crash before event " + k + " (variant " + variant + "): the newest whole superblock is generation "
                            + expected + ", but the sync of generation " + floor + " had returned: an acknowledged sync is lost");
                }
                String where = "crash before event " + k + " of " + events.size() + " (variant " + variant
                        + (tornAt > 0 ? ", torn at " + tornAt : "") + ", expecting generation " + expected + ")";
                check(image, cfg, work, expected, where, states % 37 == 0);
                if (states % 37 == 0) {
                    resumed++;
                }
                states++;
            }
        }
        System.out.printf("crash exploration (%d arena(s), %d syncs, %d log chainings, %d log compressions):"
                + " %d crash states explored, %d resumed with more work%n",
                arenas, steps, logChains, logCompressions, states, resumed);
        assertTrue(states > 1000, "explored " + states);
    }

    private static void apply(byte[] image, RecordingChannel.Event e, int keepBytes) {
        if (e.isForce()) {
            return;
        }
        int n = keepBytes < 0 ? e.bytes().length : Math.min(keepBytes, e.bytes().length);
        System.arraycopy(e.bytes(), 0, image, (int) e.position(), n);
    }

    /** The generation a correct mount must find: the newest superblock that is whole on this image. */
    private static long newestWholeSuperblock(byte[] image, long[] slots) {
        long best = -1;
        for (long at : slots) {
            Superblock sb = Superblock.unpack(java.util.Arrays.copyOfRange(image, (int) at, (int) at + 16384));
            if (sb != null) {
                best = Math.max(best, sb.syncGen());
            }
        }
        return best;
    }

    private void check(byte[] image, StoreConfig cfg, Workload work, long expected, String where, boolean resume) {
        StoreConfig mem = cfg.channelOpener((p, o) -> new MemoryChannel(image));
        try (BlockStore s = BlockStore.open(dir.resolve("image"), mem)) {
            assertEquals(expected, s.durableGen(), where);
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
        } catch (AssertionError e) {
            throw e;
        } catch (RuntimeException e) {
            throw new AssertionError(where + ": " + e, e);
        }
    }
}
