package dev.cairn.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Bulk commits on two builds of the engine in one JVM, taking turns store by
 * store: this checkout's and the one at git revision {@code compare.with}.
 * On this shared machine separate runs of one build differ by more than a
 * change of a few percent; two builds alternating in one JVM see the same
 * slow spells. Each build has its own class loader (its own JIT profile).
 *
 * <p>{@code mvn -B -pl adapter/engine -am -Pcompare test -Dcompare.with=REV
 * [-Dcompare.stores=20]}: checks REV out into a temporary git worktree,
 * compiles its adapter there, and prints, for each build, the median CPU
 * time of the committing thread and the median wall time per commit of
 * 1000 random 100-byte puts (50 untimed commits, then 50 timed, on a fresh
 * store), and this build's figures over REV's. {@code -Dcompare.with=HEAD}
 * compares the build with itself, which shows the noise.
 * {@code -Dcompare.puts=1 -Dcompare.valueBytes=1048576} compares commits of
 * one 1 MiB value instead (any count and size: puts per commit, bytes a value).
 */
public final class BuildComparison {

    private static final int COMMITS = 100;
    private static final int UNTIMED = 50;
    private static final int WARM_STORES = 4;

    public static void main(String[] args) throws Exception {
        String rev = System.getProperty("compare.with");
        if (rev == null || rev.isBlank()) {
            throw new IllegalArgumentException("say which revision to compare with: -Dcompare.with=REV");
        }
        int stores = Integer.getInteger("compare.stores", 20);
        // Set by the compare profile (exec:java runs where mvn was started, not in adapter/).
        Path top = Path.of(System.getProperty("compare.top", "..")).toAbsolutePath().normalize();
        Path classes = Path.of(System.getProperty("compare.classes", "target/classes")).toAbsolutePath();
        Path apiClasses = Path.of(System.getProperty("compare.apiClasses", "../api/target/classes")).toAbsolutePath();
        Path work = Path.of(System.getProperty("compare.dir", "target/compare")).toAbsolutePath();
        Files.createDirectories(work);
        Path tree = work.resolve("rev-" + System.nanoTime());
        run(top, "git", "worktree", "add", "--detach", tree.toString(), rev); // an unknown REV stops here
        try {
            Engine here = new Engine("this checkout", classes, apiClasses);
            Engine there;
            if (Files.exists(tree.resolve("adapter/engine/pom.xml"))) {
                // The engine and the client API (its exceptions) are modules of their own.
                run(tree, "mvn", "-B", "-q", "-pl", "adapter/engine", "-am", "compile");
                there = new Engine(rev, tree.resolve("adapter/engine/target/classes"), tree.resolve("adapter/api/target/classes"));
            } else {
                // Before the split: one adapter module held the engine and the API.
                run(tree, "mvn", "-B", "-q", "-pl", "adapter", "-am", "compile");
                there = new Engine(rev, tree.resolve("adapter/target/classes"));
            }
            compare(there, here, stores, work);
        } finally {
            run(top, "git", "worktree", "remove", "--force", tree.toString());
        }
    }

    private static void compare(Engine a, Engine b, int stores, Path work) throws Exception {
        Random rnd = new Random(5);
        int puts = Integer.getInteger("compare.puts", 1000);
        int valueBytes = Integer.getInteger("compare.valueBytes", 100);
        byte[][][] keys = new byte[COMMITS][puts][];
        byte[][][] values = new byte[COMMITS][puts][];
        for (int c = 0; c < COMMITS; c++) {
            for (int i = 0; i < puts; i++) {
                keys[c][i] = String.format("bulk-%08d", rnd.nextInt(1_000_000)).getBytes();
                values[c][i] = new byte[valueBytes];
                rnd.nextBytes(values[c][i]);
            }
        }
        Engine[] engines = {a, b};
        List<List<double[]>> figures = List.of(new ArrayList<>(), new ArrayList<>());
        for (int round = 0; round < WARM_STORES + stores; round++) {
            for (int turn = 0; turn < 2; turn++) {
                int which = round % 2 == 0 ? turn : 1 - turn; // who goes first alternates too
                double[] f = engines[which].bulk(work, keys, values);
                if (round >= WARM_STORES) {
                    figures.get(which).add(f);
                }
            }
        }
        System.out.printf("commits of %d random %d-byte puts, %d stores each after %d untimed, builds taking turns:%n",
                puts, valueBytes, stores, WARM_STORES);
        for (int i = 0; i < 2; i++) {
            System.out.printf("  %-16s CPU of the committing thread %.2f ms a commit, wall %.2f ms (medians)%n",
                    engines[i].name, median(figures.get(i), 0), median(figures.get(i), 1));
        }
        List<Double> paired = new ArrayList<>();
        for (int i = 0; i < stores; i++) {
            paired.add(figures.get(1).get(i)[0] / figures.get(0).get(i)[0]);
        }
        Collections.sort(paired);
        System.out.printf("  %s / %s: CPU %.3f, wall %.3f (ratio of medians); CPU %.3f (median of the paired ratios)%n",
                b.name, a.name, median(figures.get(1), 0) / median(figures.get(0), 0),
                median(figures.get(1), 1) / median(figures.get(0), 1), paired.get(paired.size() / 2));
    }

    private static double median(List<double[]> xs, int at) {
        List<Double> v = new ArrayList<>();
        xs.forEach(x -> v.add(x[at]));
        Collections.sort(v);
        return v.get(v.size() / 2);
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed in " + dir + " (exit " + p.exitValue() + ")");
        }
    }

    /** One build of the engine, driven through reflection from its own class loader. */
    private static final class Engine {
        final String name;
        private final Method create;
        private final Method defaults;
        private final Method sizeBytes;
        private final Method cacheBytes;
        private final Method begin;
        private final Method put;
        private final Method commit;

        Engine(String name, Path... classDirs) throws Exception {
            this.name = name;
            List<URL> urls = new ArrayList<>();
            for (Path classes : classDirs) {
                if (!Files.isDirectory(classes)) {
                    throw new IllegalArgumentException("no compiled classes at " + classes);
                }
                urls.add(classes.toUri().toURL());
            }
            // Not the application class loader as parent: it would hand both
            // builds this checkout's engine. The engine's one dependency comes
            // from where this JVM found it.
            URL hash = Class.forName("com.dynatrace.hash4j.hashing.Hashing").getProtectionDomain().getCodeSource().getLocation();
            urls.add(hash);
            ClassLoader l = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
            Class<?> store = l.loadClass("dev.cairn.engine.Store");
            Class<?> config = l.loadClass("dev.cairn.engine.StoreConfig");
            Class<?> txn = l.loadClass("dev.cairn.engine.Txn");
            create = store.getMethod("create", Path.class, config);
            defaults = config.getMethod("defaults");
            sizeBytes = config.getMethod("sizeBytes", long.class);
            cacheBytes = config.getMethod("cacheBytes", long.class);
            begin = store.getMethod("begin");
            put = txn.getMethod("put", byte[].class, byte[].class);
            commit = txn.getMethod("commit");
        }

        /** One fresh store: {CPU ms, wall ms} a timed commit. */
        double[] bulk(Path work, byte[][][] keys, byte[][][] values) throws Exception {
            Path dir = Files.createTempDirectory(work, "store-");
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            try {
                Object cfg = cacheBytes.invoke(sizeBytes.invoke(defaults.invoke(null), 2L << 30), 64L << 20);
                try (AutoCloseable s = (AutoCloseable) create.invoke(null, dir.resolve("bulk.cairn"), cfg)) {
                    for (int c = 0; c < UNTIMED; c++) {
                        commit(s, keys[c], values[c]);
                    }
                    long cpu = threads.getCurrentThreadCpuTime();
                    long wall = System.nanoTime();
                    for (int c = UNTIMED; c < COMMITS; c++) {
                        commit(s, keys[c], values[c]);
                    }
                    int timed = COMMITS - UNTIMED;
                    return new double[] {(threads.getCurrentThreadCpuTime() - cpu) / 1e6 / timed,
                            (System.nanoTime() - wall) / 1e6 / timed};
                }
            } finally {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }

        private void commit(Object store, byte[][] k, byte[][] v) throws Exception {
            try (AutoCloseable t = (AutoCloseable) begin.invoke(store)) {
                for (int i = 0; i < k.length; i++) {
                    put.invoke(t, k[i], v[i]);
                }
                commit.invoke(t);
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof Exception x ? x : e;
            }
        }
    }
}
