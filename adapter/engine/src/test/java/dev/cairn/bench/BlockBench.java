package dev.cairn.bench;

import dev.cairn.engine.BlockStore;
import dev.cairn.engine.Store;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.StoreStats;
import dev.cairn.engine.Txn;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.cache.CachedBlock;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;

/**
 * The block engine against raw {@link FileChannel} I/O on the same disk, in
 * one run, so the ratios hold on a noisy shared machine:
 * <ol>
 * <li>bandwidth: fresh 16 KiB blocks written through a sync, against raw
 *     sequential 16 KiB writes and one force (goal: at least 70%);</li>
 * <li>latency: one fresh block and a sync, against one raw 16 KiB write and
 *     a force (goal: at most 2.5x);</li>
 * <li>cache-hit reads, ns per read at 1 and 2 threads;</li>
 * <li>object-store transactions: single-put commits at 1 and 16 threads,
 *     bulk commits, warm point gets.</li>
 * </ol>
 * Medians of several rounds. Run: {@code mvn -B -pl adapter/engine -am -Pbench test}
 * (add {@code -Dbench.dir=/some/disk} to measure another file system).
 */
public final class BlockBench {

    private static final int B = BlockFormat.BLOCK_SIZE;
    private static final int ROUNDS = 5;
    private static final long BULK_BYTES = 64L << 20;
    private static final int LATENCY_SAMPLES = 200;

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(System.getProperty("bench.dir", "target/bench")));
        System.out.printf("Cairn block engine benchmark: %s, %d cores, Java %s, files in %s%n",
                System.getProperty("os.name"), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), dir.toAbsolutePath());

        double[] raw = new double[ROUNDS];
        double[] cairn = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            raw[r] = rawBandwidth(dir);
            cairn[r] = cairnBandwidth(dir);
        }
        double rawMb = median(raw);
        double cairnMb = median(cairn);
        System.out.printf("bandwidth, %d MiB of fresh 16 KiB blocks then one durable sync:%n", BULK_BYTES >> 20);
        System.out.printf("  raw FileChannel write+force  %8.1f MiB/s (median of %d)%n", rawMb, ROUNDS);
        System.out.printf("  Cairn newBlock+write+sync    %8.1f MiB/s (median of %d)%n", cairnMb, ROUNDS);
        System.out.printf("  ratio                        %8.2f   (goal >= 0.70)%n", cairnMb / rawMb);

        double[] lat = latencies(dir);
        System.out.printf("latency, one 16 KiB block made durable (median of %d, samples alternated):%n", LATENCY_SAMPLES);
        System.out.printf("  raw 16 KiB write+force       %8.1f us%n", lat[0] / 1e3);
        System.out.printf("  Cairn block + sync           %8.1f us%n", lat[1] / 1e3);
        System.out.printf("  ratio (median of pairs)      %8.2f   (goal <= 2.5)%n", lat[2]);

        storeFigures(dir, lat[0]);
        memoryFigure(dir);
        bigTransactionFigure(dir);

        for (int threads : new int[] {1, 2}) {
            double map = mapGetNanos(threads);
            double hit = cacheHitNanos(dir, threads);
            System.out.printf("cache-hit read+release, %d thread(s): %8.1f ns/op; baseline ConcurrentHashMap.get %6.1f ns/op;"
                    + " ratio %.1f (medians of %d)%n", threads, hit, map, hit / map, ROUNDS);
        }
    }

    private static double rawBandwidth(Path dir) throws IOException {
        Path f = dir.resolve("raw.bin");
        Files.deleteIfExists(f);
        byte[] block = new byte[B];
        new Random(1).nextBytes(block);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long start = System.nanoTime();
            for (long pos = 0; pos < BULK_BYTES; pos += B) {
                ByteBuffer buf = ByteBuffer.wrap(block);
                while (buf.hasRemaining()) {
                    ch.write(buf, pos + buf.position());
                }
            }
            ch.force(false);
            return mibPerSecond(BULK_BYTES, System.nanoTime() - start);
        } finally {
            Files.deleteIfExists(f);
        }
    }

    private static double cairnBandwidth(Path dir) {
        Path f = dir.resolve("cairn-bulk.cairn");
        deleteQuietly(f);
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(4 * BULK_BYTES).cacheBytes(32L << 20).arenas(8).syncers(2);
        byte[] fill = new byte[B];
        new Random(1).nextBytes(fill);
        try (BlockStore s = BlockStore.create(f, cfg)) {
            long start = System.nanoTime();
            Bptr last = Bptr.NONE;
            for (long n = 0; n < BULK_BYTES; n += B) {
                try (CachedBlock b = s.newBlock(BlockFormat.TYPE_DATA, 0)) {
                    System.arraycopy(fill, 0, b.data(), 0, B);
                    last = s.write(b);
                }
            }
            s.sync(List.of(last));
            return mibPerSecond(BULK_BYTES, System.nanoTime() - start);
        } finally {
            deleteQuietly(f);
        }
    }

    /**
     * Raw write+force and Cairn block+sync, alternated sample by sample so
     * both see the same disk and the same neighbours.
     *
     * @return {median raw ns, median Cairn ns, median of the per-pair ratios}
     */
    private static double[] latencies(Path dir) throws IOException {
        Path rawFile = dir.resolve("raw-lat.bin");
        Path cairnFile = dir.resolve("cairn-lat.cairn");
        Files.deleteIfExists(rawFile);
        deleteQuietly(cairnFile);
        byte[] block = new byte[B];
        long[] raw = new long[LATENCY_SAMPLES];
        long[] cairn = new long[LATENCY_SAMPLES];
        double[] ratio = new double[LATENCY_SAMPLES];
        try (FileChannel ch = FileChannel.open(rawFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             BlockStore s = BlockStore.create(cairnFile, StoreConfig.defaults().sizeBytes(64L << 20))) {
            Bptr root = Bptr.NONE;
            for (int i = 0; i < LATENCY_SAMPLES; i++) {
                long start = System.nanoTime();
                ch.write(ByteBuffer.wrap(block), (long) i * B);
                ch.force(false);
                raw[i] = System.nanoTime() - start;

                start = System.nanoTime();
                Bptr next;
                try (CachedBlock b = s.newBlock(BlockFormat.TYPE_DATA, 0)) {
                    b.data()[0] = (byte) i;
                    next = s.write(b);
                }
                if (!root.isNone()) {
                    s.free(root);
                }
                root = next;
                s.sync(List.of(root));
                cairn[i] = System.nanoTime() - start;
                ratio[i] = (double) cairn[i] / raw[i];
            }
        } finally {
            Files.deleteIfExists(rawFile);
            deleteQuietly(cairnFile);
        }
        return new double[] {median(raw), median(cairn), median(ratio)};
    }

    private static double cacheHitNanos(Path dir, int threads) throws Exception {
        Path f = dir.resolve("cairn-read.cairn");
        deleteQuietly(f);
        try (BlockStore s = BlockStore.create(f, StoreConfig.defaults().sizeBytes(64L << 20).cacheBytes(16L << 20))) {
            List<Bptr> blocks = new ArrayList<>();
            for (int i = 0; i < 256; i++) {
                try (CachedBlock b = s.newBlock(BlockFormat.TYPE_DATA, 0)) {
                    b.data()[0] = (byte) i;
                    blocks.add(s.write(b));
                }
            }
            s.sync(List.of());
            return timeThreads(threads, rnd -> {
                try (CachedBlock b = s.read(blocks.get(rnd.nextInt(blocks.size())))) {
                    return b.data()[0];
                }
            });
        } finally {
            deleteQuietly(f);
        }
    }

    /**
     * Transactions on the object store: single-put commits at 1 and 16
     * threads (group commit: the 16 share syncs), bulk commits of 1000 puts,
     * and point gets on a warm store.
     */
    private static void storeFigures(Path dir, double rawWriteForceNanos) throws Exception {
        Path f = dir.resolve("store.cairn");
        deleteQuietly(f);
        try (Store s = Store.create(f, StoreConfig.defaults().sizeBytes(512L << 20).cacheBytes(64L << 20))) {
            double rawPerSecond = 1e9 / rawWriteForceNanos;
            double one = commitsPerSecond(s, 1);
            StoreStats before = s.stats();
            double sixteen = commitsPerSecond(s, 16);
            StoreStats st = s.stats();
            double perSync = (double) (st.commits() - before.commits()) / (st.syncs() - before.syncs());
            System.out.printf("store commits, one 100-byte put each (durable on return):%n");
            System.out.printf("  1 thread                     %8.0f commits/s (raw write+force alone allows %.0f/s)%n",
                    one, rawPerSecond);
            System.out.printf("  16 threads                   %8.0f commits/s = %.1fx one thread; %.1f commits per sync%n",
                    sixteen, sixteen / one, perSync);
            // Against one thread measured just before on the same store, the
            // JIT as warm as it will be with the reader (the first figure above
            // is a cold one).
            double warmOne = commitsPerSecond(s, 1);
            double withReader;
            try (Txn reader = s.begin()) {
                reader.get("c-0-0".getBytes()); // a long scan, say: its snapshot stays pinned throughout
                commitsPerSecond(s, 1);
                commitsPerSecond(s, 1);
                withReader = commitsPerSecond(s, 1); // the third 3 s with the reader open
            }
            System.out.printf("  1 thread, a reader open 6 s  %8.0f commits/s = %.2fx the %.0f just before without"
                    + " (only blocks its version reaches wait)%n", withReader, withReader / warmOne, warmOne);
            Random rnd = new Random(5);
            byte[] value = new byte[100];
            int batches = 50;
            long start = System.nanoTime();
            for (int b = 0; b < batches; b++) {
                try (Txn t = s.begin()) {
                    for (int i = 0; i < 1000; i++) {
                        rnd.nextBytes(value);
                        t.put(String.format("bulk-%08d", rnd.nextInt(1_000_000)).getBytes(), value);
                    }
                    t.commit();
                }
            }
            double bulk = batches * 1000 / ((System.nanoTime() - start) / 1e9);
            System.out.printf("  bulk, 1000 random puts a commit %8.0f puts/s%n", bulk);
            int gets = 200_000;
            start = System.nanoTime();
            long found = 0;
            try (Txn t = s.begin()) {
                for (int i = 0; i < gets; i++) {
                    if (t.get(String.format("bulk-%08d", rnd.nextInt(1_000_000)).getBytes()) != null) {
                        found++;
                    }
                }
            }
            System.out.printf("  point gets, warm, 1 thread    %8.0f gets/s (%d of %d found)%n",
                    gets / ((System.nanoTime() - start) / 1e9), found, gets);
        } finally {
            deleteQuietly(f);
        }
    }

    /** Heap after GC while the store grows to more than ten times its cache. */
    private static void memoryFigure(Path dir) {
        Path f = dir.resolve("memory.cairn");
        deleteQuietly(f);
        long cache = 8L << 20;
        Runtime rt = Runtime.getRuntime();
        try (Store s = Store.create(f, StoreConfig.defaults().sizeBytes(1L << 30).cacheBytes(cache))) {
            System.gc();
            long before = rt.totalMemory() - rt.freeMemory();
            Random rnd = new Random(11);
            byte[] value = new byte[500];
            long written = 0;
            int n = 0;
            while (written < 12 * cache) {
                try (Txn t = s.begin()) {
                    for (int i = 0; i < 1000; i++) {
                        rnd.nextBytes(value);
                        t.put(String.format("mem-%09d", n++).getBytes(), value);
                    }
                    t.commit();
                }
                written += 1000L * 500;
            }
            System.gc();
            long after = rt.totalMemory() - rt.freeMemory();
            System.out.printf("memory: store grown to %d MiB used with an %d MiB cache: heap after GC %d MiB before, %d MiB after"
                    + " (+%d MiB)%n", s.stats().usedBytes() >> 20, cache >> 20, before >> 20, after >> 20, (after - before) >> 20);
        } finally {
            deleteQuietly(f);
        }
    }

    /**
     * Which sizes of one transaction of 100-byte puts commit in a child JVM
     * with a small heap (the write set is held until commit, and the commit
     * itself must not need much more), first with no transaction limit to
     * see where memory runs out, then under the default limit, which must
     * refuse the write that passes it long before memory runs out.
     */
    private static void bigTransactionFigure(Path dir) throws Exception {
        int heapMiB = 192;
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        System.out.printf("one transaction of 100-byte puts with 10-byte keys (each counts 238 bytes against"
                + " maxTransactionBytes), in a JVM with a %d MiB heap:%n", heapMiB);
        String[][] runs = {{"250000", "unlimited"}, {"500000", "unlimited"}, {"1000000", "unlimited"}, {"1000000", "default"}};
        for (String[] run : runs) {
            int puts = Integer.parseInt(run[0]);
            String limit = run[1].equals("unlimited") ? String.valueOf(Long.MAX_VALUE) : "default";
            Process p = new ProcessBuilder(javaBin, "-Xmx" + heapMiB + "m", "-cp", classPath(),
                    BigTransaction.class.getName(), dir.toAbsolutePath().toString(), run[0], limit)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int rc = p.waitFor();
            String said = rc == 0 ? out.strip()
                    : out.contains("OutOfMemoryError") ? "out of memory" : "failed: " + out.strip().lines().findFirst().orElse("");
            System.out.printf("  %,9d puts (%3d MiB counted), %s: %s%n", puts, puts * 238L >> 20,
                    run[1].equals("unlimited") ? "no limit" : "default limit", said);
        }
    }

    /** The classpath this class was loaded from (exec:java loads it through a URLClassLoader). */
    private static String classPath() {
        StringBuilder cp = new StringBuilder();
        for (ClassLoader l = BlockBench.class.getClassLoader(); l != null; l = l.getParent()) {
            if (l instanceof URLClassLoader u) {
                for (URL url : u.getURLs()) {
                    try {
                        cp.append(cp.length() == 0 ? "" : File.pathSeparator).append(Path.of(url.toURI()));
                    } catch (URISyntaxException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return cp.length() > 0 ? cp.toString() : System.getProperty("java.class.path");
    }

    private static double commitsPerSecond(Store s, int threads) throws Exception {
        long seconds = 3;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Future<?>> jobs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            jobs.add(pool.submit(() -> {
                byte[] v = new byte[100];
                int n = 0;
                while (System.nanoTime() < end) {
                    try (Txn tx = s.begin()) {
                        tx.put(("c-" + id + "-" + (n++ % 1000)).getBytes(), v);
                        tx.commit();
                    }
                    done.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> j : jobs) {
            j.get();
        }
        pool.shutdown();
        return done.get() / (double) seconds;
    }

    /** The machine's own scaling of a trivial shared lookup, measured the same way as the cache hits. */
    private static double mapGetNanos(int threads) throws Exception {
        ConcurrentHashMap<Long, byte[]> map = new ConcurrentHashMap<>();
        for (long i = 0; i < 256; i++) {
            map.put(i * B, new byte[] {(byte) i});
        }
        return timeThreads(threads, rnd -> map.get((long) rnd.nextInt(256) * B)[0]);
    }

    private static double timeThreads(int threads, ToIntFunction<Random> op) throws Exception {
        int ops = 2_000_000;
        double[] rounds = new double[ROUNDS];
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int r = 0; r < ROUNDS; r++) {
                CyclicBarrier go = new CyclicBarrier(threads);
                List<Future<Long>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int seed = t;
                    done.add(pool.submit(() -> {
                        Random rnd = new Random(seed);
                        go.await();
                        long start = System.nanoTime();
                        long sink = 0;
                        for (int i = 0; i < ops; i++) {
                            sink += op.applyAsInt(rnd);
                        }
                        return System.nanoTime() - start + (sink == 42 ? 1 : 0);
                    }));
                }
                long total = 0;
                for (Future<Long> d : done) {
                    total = Math.max(total, d.get());
                }
                rounds[r] = (double) total / ops;
            }
        } finally {
            pool.shutdown();
        }
        return median(rounds);
    }

    private static double mibPerSecond(long bytes, long nanos) {
        return bytes / (1024.0 * 1024.0) / (nanos / 1e9);
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    private static double median(long[] v) {
        long[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }
}
