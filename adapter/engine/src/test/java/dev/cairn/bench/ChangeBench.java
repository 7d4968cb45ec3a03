package dev.cairn.bench;

import static dev.cairn.bench.Measures.median;

import dev.cairn.engine.Store;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.Txn;
import dev.cairn.engine.object.ChangeRecords;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a change subscription costs the committers: single-put commits (100
 * bytes) and bulk commits (1000 puts) with no subscription, with one whose
 * reader is slow (1 ms a change, acknowledging every 64: it falls behind),
 * and with one nobody reads (the log only grows); and, as the baseline in
 * the same run, a raw 4 KiB {@code FileChannel} write and force. Each
 * {@value #ROUNDS} rounds after one to warm up, the setups taking turns (in a rotating order) on fresh stores; medians
 * printed, and ratios against no subscription. Part of
 * {@code mvn -B -pl adapter/engine -am -Pbench test}.
 */
public final class ChangeBench {

    private static final int ROUNDS = 5;
    private static final int SINGLE = 1000;
    private static final int BULK = 60;
    private static final String[] SETUPS = {"no subscription", "slow reader", "no reader"};

    private ChangeBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(System.getProperty("bench.dir", "target/bench")).resolve("changes"));
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(512L << 20).cacheBytes(64L << 20);
        double[][] single = new double[SETUPS.length][ROUNDS];
        double[][] bulk = new double[SETUPS.length][ROUNDS];
        double[] raw = new double[ROUNDS];
        long behind = 0;
        for (int r = -1; r < ROUNDS; r++) { // round -1 warms the JIT up and is not counted
            double rawNow = rawForce(dir.resolve("raw"));
            for (int turn = 0; turn < SETUPS.length; turn++) {
                int s = (turn + r + 1) % SETUPS.length; // each setup goes first in some round
                Path file = dir.resolve("s" + s + ".cairn");
                Files.deleteIfExists(file);
                try (Store store = Store.create(file, cfg)) {
                    AtomicBoolean stop = new AtomicBoolean();
                    Thread reader = null;
                    if (s > 0) {
                        store.changes().subscribe("bench");
                    }
                    if (s == 1) {
                        reader = new Thread(() -> slowReader(store, stop), "slow-reader");
                        reader.start();
                    }
                    double one = singlePuts(store, r + 1);
                    double many = bulkPuts(store, r + 1);
                    if (r >= 0) {
                        single[s][r] = one;
                        bulk[s][r] = many;
                    }
                    if (s == 1) {
                        behind = Math.max(behind, store.changes().newest() - store.changes().subscriptions().get("bench"));
                    }
                    stop.set(true);
                    if (reader != null) {
                        reader.join();
                    }
                }
                Files.deleteIfExists(file);
            }
            if (r >= 0) {
                raw[r] = rawNow;
            }
        }
        double rawMedian = median(raw);
        System.out.printf("change subscriptions against commits, medians of %d rounds%n", ROUNDS);
        System.out.printf("  raw FileChannel 4 KiB write + force: %.3f ms%n", rawMedian);
        for (int s = 0; s < SETUPS.length; s++) {
            System.out.printf("  %-16s single put %.3f ms (%.2f x raw force, %.2f x no subscription); bulk of 1000 %.2f ms (%.2f x no subscription)%n",
                    SETUPS[s], median(single[s]), median(single[s]) / rawMedian, median(single[s]) / median(single[0]),
                    median(bulk[s]), median(bulk[s]) / median(bulk[0]));
        }
        System.out.printf("  the slow reader was up to %d changes behind when the commits ended%n", behind);
    }

    /** Median milliseconds of a commit of one 100-byte put. */
    private static double singlePuts(Store s, int round) {
        double[] ms = new double[SINGLE];
        byte[] v = new byte[100];
        Random rnd = new Random(round);
        for (int i = 0; i < SINGLE; i++) {
            rnd.nextBytes(v);
            long t0 = System.nanoTime();
            try (Txn t = s.begin()) {
                t.put(("single/" + rnd.nextInt(10_000)).getBytes(), v);
                t.commit();
            }
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return median(ms);
    }

    /** Median milliseconds of a commit of 1000 random 100-byte puts. */
    private static double bulkPuts(Store s, int round) {
        double[] ms = new double[BULK];
        byte[] v = new byte[100];
        Random rnd = new Random(round + 1000);
        for (int b = 0; b < BULK; b++) {
            long t0 = System.nanoTime();
            try (Txn t = s.begin()) {
                for (int i = 0; i < 1000; i++) {
                    rnd.nextBytes(v);
                    t.put(("bulk/" + rnd.nextInt(100_000)).getBytes(), v);
                }
                t.commit();
            }
            ms[b] = (System.nanoTime() - t0) / 1e6;
        }
        return median(ms);
    }

    private static void slowReader(Store s, AtomicBoolean stop) {
        long position = 0;
        int unacknowledged = 0;
        try {
            while (!stop.get()) {
                List<ChangeRecords.Change> batch = s.changes().read(position, 64);
                if (batch.isEmpty()) {
                    s.changes().awaitAfter(position, 100);
                    continue;
                }
                for (ChangeRecords.Change c : batch) {
                    Thread.sleep(1);
                    position = c.number();
                    if (++unacknowledged == 64 || stop.get()) {
                        s.changes().acknowledge("bench", position);
                        unacknowledged = 0;
                    }
                    if (stop.get()) {
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Median milliseconds of a 4 KiB write and force of a file. */
    private static double rawForce(Path file) throws Exception {
        double[] ms = new double[200];
        ByteBuffer b = ByteBuffer.allocate(4096);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (int i = 0; i < ms.length; i++) {
                b.clear();
                long t0 = System.nanoTime();
                ch.write(b, (long) (i % 64) * 4096);
                ch.force(false);
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        Files.deleteIfExists(file);
        return median(ms);
    }

}
