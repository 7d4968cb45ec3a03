package dev.cairn.engine.disk;

import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.sync.Superblock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Rebuilds, from a recorded run, the disk as a crash before each recorded
 * event could have left it, in four ways: only what was forced survived;
 * everything issued survived; everything issued survived and the write in
 * flight was torn (a prefix of it, from 37 bytes to 12 KiB, reached the disk,
 * the rest is the old bytes); a random subset of the unforced writes
 * survived.
 *
 * <p>For each image it names the generation a correct mount must find (the
 * newest superblock that is whole on the image) and fails at once if that is
 * older than the last sync that had returned: an acknowledged sync lost.
 * When that superblock was never forced and the image lacks some other
 * unforced write, the generation may be incomplete (a sync forces its blocks
 * and superblock together), and the mount may instead find the older
 * superblock's generation: the image names that one too.
 */
public final class CrashImages {

    /** How much of a torn write reaches the disk: within a superblock's used bytes, a sector, pages. */
    private static final int[] TEARS = {37, 200, 512, 4096, 8192, 12288};

    /** Receives each crash image. */
    @FunctionalInterface
    public interface Visitor {
        /**
         * @param fallbackGen the generation a mount may find instead of
         *                    {@code expectedGen} because the latter may be
         *                    incomplete on this image, or -1
         */
        void visit(byte[] image, long expectedGen, long fallbackGen, String where, int index);
    }

    private CrashImages() {
    }

    /**
     * @param events       the recorded run
     * @param firstEvent   crashes before this event are not explored (the store's creation)
     * @param fileSize     the store's size
     * @param acknowledged pairs {event count when a sync returned, its generation}
     * @return how many crash states were visited
     */
    public static int explore(List<RecordingChannel.Event> events, int firstEvent, long fileSize,
                              List<long[]> acknowledged, long seed, Visitor visitor) {
        long[] slots = {Superblock.slotAddr(0, fileSize), Superblock.slotAddr(1, fileSize)};
        byte[] forced = new byte[(int) fileSize];
        int lastForce = -1;
        Random rnd = new Random(seed);
        int states = 0;
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
                boolean lacksAWrite = false;
                boolean superblockUnforced = false;
                for (int w = lastForce + 1; w < k; w++) {
                    if (variant == 1 || variant == 2 || (variant == 3 && rnd.nextBoolean())) {
                        apply(image, events.get(w), -1);
                        long at = events.get(w).position();
                        superblockUnforced |= !events.get(w).isForce() && (at == slots[0] || at == slots[1]);
                    } else {
                        lacksAWrite = true;
                    }
                }
                int tornAt = -1;
                if (variant == 2) {
                    tornAt = TEARS[k % TEARS.length];
                    apply(image, inFlight, tornAt);
                }
                long expected = newestWholeSuperblock(image, slots, Long.MAX_VALUE);
                long fallback = lacksAWrite && superblockUnforced ? newestWholeSuperblock(image, slots, expected) : -1;
                long floor = 0;
                for (long[] a : acknowledged) {
                    if (a[0] <= k) {
                        floor = a[1];
                    }
                }
                String where = "crash before event " + k + " of " + events.size() + " (variant " + variant
                        + (tornAt > 0 ? ", torn at " + tornAt : "") + ", expecting generation " + expected + ")";
                if (expected < floor) {
                    fail(where + ": the newest whole superblock is older than the sync of generation " + floor
                            + ", which had returned: an acknowledged sync is lost");
                }
                if (fallback >= 0 && fallback < floor) {
                    fail(where + ": generation " + expected + " may be incomplete, and the older superblock ("
                            + fallback + ") is older than the acknowledged " + floor);
                }
                visitor.visit(image, expected, fallback, where, states);
                states++;
            }
        }
        return states;
    }

    private static void apply(byte[] image, RecordingChannel.Event e, int keepBytes) {
        if (e.isForce()) {
            return;
        }
        int n = keepBytes < 0 ? e.bytes().length : Math.min(keepBytes, e.bytes().length);
        System.arraycopy(e.bytes(), 0, image, (int) e.position(), n);
    }

    /** The newest generation below {@code below} with a whole superblock on the image, or -1. */
    private static long newestWholeSuperblock(byte[] image, long[] slots, long below) {
        long best = -1;
        for (long at : slots) {
            Superblock sb = Superblock.unpack(Arrays.copyOfRange(image, (int) at, (int) at + BlockFormat.BLOCK_SIZE));
            if (sb != null && sb.syncGen() < below) {
                best = Math.max(best, sb.syncGen());
            }
        }
        return best;
    }

    /** Convenience for the acknowledged list. */
    public static List<long[]> newAcknowledgedList() {
        return new ArrayList<>();
    }
}
