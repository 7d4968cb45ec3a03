package dev.cairn.bench;

import static dev.cairn.bench.Measures.median;
import static dev.cairn.bench.Measures.wipe;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A fresh JVM's first durable commits and gets, against the same JVM warm
 * and against the peers in fresh JVMs of their own: each engine, in a
 * child JVM started for it, opens a new store and times its first
 * {@value #COMMITS} single-put commits (100-byte values) and then
 * {@value #GETS} random gets of those keys; then, after
 * {@value #WARM_COMMITS} untimed commits, the same again warm. The
 * engines take turns, {@value #ROUNDS} rounds; medians of the children's
 * figures. Part of {@code mvn -B -pl adapter/engine -am -Ppeers test}.
 */
public final class ColdStartBench {

    private static final int ROUNDS = 3;
    private static final int COMMITS = 1000;
    private static final int GETS = 10_000;
    private static final int WARM_COMMITS = 20_000;
    private static final String[] ENGINES = {"Cairn", "LMDB", "MVStore", "RocksDB"};
    private static final String[] FIGURES = {"jvm start to main ms", "open ms", "first commits, median ms", "first commits, total ms",
        "first gets, total ms", "warm commits, median ms", "warm commits, total ms", "warm gets, total ms"};

    private ColdStartBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("child")) {
            child(args[1]);
            return;
        }
        Path dir = Files.createDirectories(Path.of(System.getProperty("bench.dir", "target/bench")).resolve("cold"));
        String classpath = classpath();
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        for (String e : ENGINES) {
            results.put(e, new ArrayList<>());
        }
        for (int r = 0; r < ROUNDS; r++) {
            for (int i = 0; i < ENGINES.length; i++) {
                String engine = ENGINES[(i + r) % ENGINES.length];
                Path store = dir.resolve(engine + "-" + r);
                wipe(store);
                Files.createDirectories(store);
                results.get(engine).add(runChild(classpath, engine, store));
                wipe(store);
            }
        }
        System.out.printf("cold start: a fresh JVM per engine, medians of %d rounds%n", ROUNDS);
        System.out.printf(Locale.ROOT, "  %-26s", "figure");
        for (String e : ENGINES) {
            System.out.printf(Locale.ROOT, " %10s", e);
        }
        System.out.printf(Locale.ROOT, " %16s%n", "Cairn / best");
        for (int f = 0; f < FIGURES.length; f++) {
            System.out.printf(Locale.ROOT, "  %-26s", FIGURES[f]);
            double best = Double.MAX_VALUE;
            double cairn = 0;
            for (String e : ENGINES) {
                double m = medianOf(results.get(e), f);
                System.out.printf(Locale.ROOT, " %10.3f", m);
                if (e.equals("Cairn")) {
                    cairn = m;
                } else {
                    best = Math.min(best, m);
                }
            }
            System.out.printf(Locale.ROOT, " %16.2f%n", cairn / best);
        }
        double cold = medianOf(results.get("Cairn"), 3);
        double warm = medianOf(results.get("Cairn"), 6);
        System.out.printf(Locale.ROOT, "  Cairn's first %d commits take %.2f x its warm ones; its first %d gets %.2f x%n",
                COMMITS, cold / warm, GETS, medianOf(results.get("Cairn"), 4) / medianOf(results.get("Cairn"), 7));
    }

    private static double[] runChild(String classpath, String engine, Path store) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", classpath, "-Dbench.dir=" + store,
                ColdStartBench.class.getName(), "child", engine).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(engine + "'s cold-start JVM failed: " + out);
        }
        for (String line : out.split("\n")) {
            if (line.startsWith("RESULT ")) {
                return Arrays.stream(line.substring(7).trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
            }
        }
        throw new IllegalStateException(engine + "'s cold-start JVM printed no result: " + out);
    }

    /** In the child JVM: the figures of one engine, printed as one RESULT line. */
    private static void child(String name) throws Exception {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        Path dir = Path.of(System.getProperty("bench.dir"));
        long t0 = System.nanoTime();
        double jvmToMain = System.currentTimeMillis() - jvmStart;
        try (PeerBench.Engine e = PeerBench.open(name, dir)) {
            double open = (System.nanoTime() - t0) / 1e6;
            Random rnd = new Random(7);
            List<byte[]> keys = new ArrayList<>();
            double[] cold = commits(e, rnd, keys, COMMITS);
            double coldGets = gets(e, rnd, keys);
            commits(e, rnd, keys, WARM_COMMITS);
            double[] warm = commits(e, rnd, keys, COMMITS);
            double warmGets = gets(e, rnd, keys);
            System.out.printf(Locale.ROOT, "RESULT %.3f %.3f %.4f %.3f %.3f %.4f %.3f %.3f%n", jvmToMain, open, median(cold),
                    sum(cold), coldGets, median(warm), sum(warm), warmGets);
        }
    }

    /** Milliseconds of each of {@code n} single-put commits of a new key. */
    private static double[] commits(PeerBench.Engine e, Random rnd, List<byte[]> keys, int n) {
        double[] ms = new double[n];
        byte[] v = new byte[100];
        for (int i = 0; i < n; i++) {
            rnd.nextBytes(v);
            byte[] k = ("cold/" + keys.size()).getBytes(StandardCharsets.UTF_8);
            keys.add(k);
            long t = System.nanoTime();
            e.commit(List.of(k), List.of(v.clone()));
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        return ms;
    }

    /** Milliseconds of {@value #GETS} gets of random keys written so far. */
    private static double gets(PeerBench.Engine e, Random rnd, List<byte[]> keys) {
        long t = System.nanoTime();
        for (int i = 0; i < GETS; i++) {
            if (e.get(keys.get(rnd.nextInt(keys.size()))) == null) {
                throw new IllegalStateException(e.name() + " lost a key");
            }
        }
        return (System.nanoTime() - t) / 1e6;
    }

    /** The class path this bench was loaded from (exec:java loads it in a class loader of its own). */
    private static String classpath() throws URISyntaxException {
        if (ColdStartBench.class.getClassLoader() instanceof URLClassLoader u) {
            List<String> parts = new ArrayList<>();
            for (URL url : u.getURLs()) {
                parts.add(Path.of(url.toURI()).toString());
            }
            return String.join(File.pathSeparator, parts);
        }
        return System.getProperty("java.class.path");
    }

    private static double sum(double[] xs) {
        return Arrays.stream(xs).sum();
    }

    private static double medianOf(List<double[]> runs, int figure) {
        double[] xs = runs.stream().mapToDouble(r -> r[figure]).toArray();
        return median(xs);
    }

}
