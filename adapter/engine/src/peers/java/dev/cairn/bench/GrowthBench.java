package dev.cairn.bench;

import static dev.cairn.bench.Measures.wipe;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * How each engine's cost grows with its store: every engine with a cache
 * of {@value #CACHE_MIB} MiB (LMDB: the operating system's) is filled with
 * 100-byte values under keys in no order, in bulk commits of 1000, to 1, 5 and 20 times that
 * cache in live bytes; at each size it measures random gets/s of keys
 * written, durable single-put commits/s of new keys and bulk commits/s,
 * {@value #SECONDS} s each, and reports the heap in use after a GC and
 * the files' size against the live bytes. One engine at a time, each on a
 * fresh directory. In {@code -Ppeers} when asked for:
 * {@code mvn -B -pl adapter/engine -am -Ppeers test -Dgrowth.skip=false}
 * ({@code -Dgrowth.cacheMiB=N}, default 16).
 */
public final class GrowthBench {

    private static final int CACHE_MIB = Integer.getInteger("growth.cacheMiB", 16);
    private static final int SECONDS = Integer.getInteger("bench.seconds", 3);
    private static final int[] TIMES = {1, 5, 20};
    private static final int VALUE = 100;
    private static final String[] ENGINES = {"Cairn", "LMDB", "MVStore", "RocksDB"};

    private GrowthBench() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Files.createDirectories(Path.of(System.getProperty("bench.dir", "target/bench")).resolve("growth"));
        long cache = (long) CACHE_MIB << 20;
        List<String> rows = new ArrayList<>();
        double[][][] figures = new double[ENGINES.length][TIMES.length][];
        for (int e = 0; e < ENGINES.length; e++) {
            Path dir = root.resolve(ENGINES[e]);
            wipe(dir);
            Files.createDirectories(dir);
            Random rnd = new Random(5);
            long keys = 0;
            try (PeerBench.Engine engine = PeerBench.open(ENGINES[e], dir, cache, 4L << 30)) {
                for (int t = 0; t < TIMES.length; t++) {
                    long target = TIMES[t] * cache / VALUE;
                    while (keys < target) {
                        List<byte[]> ks = new ArrayList<>(1000);
                        List<byte[]> vs = new ArrayList<>(1000);
                        for (int i = 0; i < 1000; i++) {
                            ks.add(key(keys++));
                            vs.add(value(rnd));
                        }
                        engine.commit(ks, vs);
                    }
                    double gets = gets(engine, rnd, keys);
                    double singles = singles(engine, rnd, keys);
                    keys += (long) singles * SECONDS;
                    double bulks = bulks(engine, rnd, keys);
                    keys += (long) (bulks * SECONDS) * 1000;
                    double heap = heapMiB();
                    double file = SpaceBench.allocated(dir) / (double) (keys * VALUE); // open: what is on disk now
                    figures[e][t] = new double[] {gets, singles, bulks, heap, file};
                    rows.add(String.format(Locale.ROOT, "  %-8s %3dx  %12.0f %12.0f %12.1f %10.0f %10.2f", ENGINES[e], TIMES[t],
                            gets, singles, bulks, heap, file));
                }
            }
            wipe(dir);
        }
        System.out.printf("growth: 100-byte values, caches of %d MiB, the store at 1x, 5x and 20x the cache in live bytes%n",
                CACHE_MIB);
        System.out.printf("  %-8s %4s  %12s %12s %12s %10s %10s%n", "engine", "size", "gets/s", "commits/s", "bulk/s",
                "heap MiB", "file/live");
        rows.forEach(System.out::println);
        System.out.println("  growth from 1x to 20x (figure at 20x / at 1x; for gets and commits higher is better):");
        for (int e = 0; e < ENGINES.length; e++) {
            double[] a = figures[e][0];
            double[] z = figures[e][TIMES.length - 1];
            System.out.printf(Locale.ROOT, "  %-8s gets %.2f, commits %.2f, bulk %.2f%n", ENGINES[e], z[0] / a[0], z[1] / a[1], z[2] / a[2]);
        }
    }

    /** Key number {@code n}: distinct for every n, and in no order (SplitMix64's mix), so writes land all over the tree. */
    private static byte[] key(long n) {
        long z = n + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return String.format("g/%016x", z).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(Random rnd) {
        byte[] v = new byte[VALUE];
        rnd.nextBytes(v);
        return v;
    }

    private static double gets(PeerBench.Engine e, Random rnd, long keys) {
        long end = System.nanoTime() + SECONDS * 1_000_000_000L;
        long n = 0;
        long t0 = System.nanoTime();
        while (System.nanoTime() < end) {
            for (int i = 0; i < 100; i++) {
                if (e.get(key((long) (rnd.nextDouble() * keys))) == null) {
                    throw new IllegalStateException(e.name() + " lost a key");
                }
            }
            n += 100;
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private static double singles(PeerBench.Engine e, Random rnd, long keys) {
        long end = System.nanoTime() + SECONDS * 1_000_000_000L;
        long n = 0;
        long t0 = System.nanoTime();
        while (System.nanoTime() < end) {
            e.commit(List.of(key(keys + n)), List.of(value(rnd)));
            n++;
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private static double bulks(PeerBench.Engine e, Random rnd, long keys) {
        long end = System.nanoTime() + SECONDS * 1_000_000_000L;
        long n = 0;
        long t0 = System.nanoTime();
        while (System.nanoTime() < end) {
            List<byte[]> ks = new ArrayList<>(1000);
            List<byte[]> vs = new ArrayList<>(1000);
            for (int i = 0; i < 1000; i++) {
                ks.add(key(keys + n * 1000 + i));
                vs.add(value(rnd));
            }
            e.commit(ks, vs);
            n++;
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private static double heapMiB() {
        MemoryMXBean m = ManagementFactory.getMemoryMXBean();
        System.gc();
        return m.getHeapMemoryUsage().getUsed() / (double) (1 << 20);
    }

}
