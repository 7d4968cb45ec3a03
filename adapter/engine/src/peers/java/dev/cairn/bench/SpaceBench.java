package dev.cairn.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Space and write amplification by value size, for Cairn and the peers of
 * {@link PeerBench}: each engine, on a fresh store for each size, is loaded
 * with {@value #DATA_MIB} MiB of values (100 puts a durable commit, keys
 * {@code space-%08d}), then every second key is overwritten once, and the
 * engine is closed. Printed per engine and size:
 * <ul>
 * <li><b>disk/data</b>: the store's allocated bytes on disk after close
 * ({@code du}: what an administrator sees) per byte of live value;
 * <li><b>written/put</b>: bytes the process wrote to storage during the run
 * ({@code write_bytes} of {@code /proc/self/io}: every thread, the engine's
 * own included, counted once the kernel sends them to the disk, so fsynced
 * bytes and not page-cache churn) per byte of value put;
 * <li>for Cairn also <b>in use/data</b>: its blocks in use (values, tree,
 * allocation logs) per byte of live value.
 * </ul>
 * Keys are not counted as data: a row of 100-byte values carries 14-byte
 * keys that every engine stores too. Run alone:
 * {@code mvn -B -pl adapter/engine -am -Ppeers test -Dpeers.timing.skip=true}.
 */
public final class SpaceBench {

    static final int DATA_MIB = 8;
    private static final int[] SIZES = {100, 512, 1024, 2048, 4096, 8192, 16384};
    private static final int BATCH = 100;

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(System.getProperty("bench.dir", "target/bench")).resolve("space"));
        String[] names = {"Cairn", "MVStore", "LMDB", "RocksDB"};
        System.out.printf("space and writes per byte of value: %d MiB of values put 100 a commit, every second key"
                + " overwritten once, then closed; files in %s%n", DATA_MIB, dir.toAbsolutePath());
        System.out.printf("%-8s %8s %9s %12s %12s %12s%n", "engine", "value", "records", "disk/data", "written/put",
                "in use/data");
        double[][] disk = new double[names.length][SIZES.length];
        double[][] written = new double[names.length][SIZES.length];
        for (int z = 0; z < SIZES.length; z++) {
            for (int e = 0; e < names.length; e++) {
                double[] r = run(names[e], dir, SIZES[z]);
                disk[e][z] = r[0];
                written[e][z] = r[1];
                System.out.printf("%-8s %8d %9d %12.2f %12.2f %12s%n", names[e], SIZES[z], records(SIZES[z]), r[0], r[1],
                        r[2] < 0 ? "" : String.format("%.2f", r[2]));
            }
        }
        System.out.printf("%-8s %10s %10s %10s %14s %10s %10s%n", "value", "Cairn disk", "best peer", "/best",
                "Cairn written", "best peer", "/best");
        for (int z = 0; z < SIZES.length; z++) {
            int bd = bestPeer(disk, z);
            int bw = bestPeer(written, z);
            System.out.printf("%-8d %10.2f %10s %10.2f %14.2f %10s %10.2f%n", SIZES[z], disk[0][z], names[bd],
                    disk[0][z] / disk[bd][z], written[0][z], names[bw], written[0][z] / written[bw][z]);
        }
    }

    /** The peer with the least per byte in column {@code z} (lower is better here). */
    private static int bestPeer(double[][] fig, int z) {
        int best = 1;
        for (int e = 2; e < fig.length; e++) {
            if (fig[e][z] < fig[best][z]) {
                best = e;
            }
        }
        return best;
    }

    private static int records(int size) {
        return (int) ((long) DATA_MIB * 1024 * 1024 / size);
    }

    /** {disk per live byte, written per put byte, Cairn's in-use per live byte or -1}. */
    private static double[] run(String name, Path dir, int size) throws IOException {
        Path d = dir.resolve(name + "-" + size);
        Measures.wipe(d);
        Files.createDirectories(d);
        int n = records(size);
        Random rnd = new Random(size);
        long before = writeBytes();
        double inUse = -1;
        try (PeerBench.Engine engine = PeerBench.open(name, d)) {
            put(engine, n, 1, size, rnd);
            put(engine, n, 2, size, rnd);
            if (engine instanceof PeerBench.CairnEngine c) {
                inUse = c.inUseBytes();
            }
        }
        long written = writeBytes() - before;
        long live = (long) n * size;
        long putBytes = live + (long) (n / 2) * size;
        double[] r = {(double) allocated(d) / live, (double) written / putBytes, inUse < 0 ? -1 : inUse / live};
        Measures.wipe(d);
        return r;
    }

    /** Puts every {@code step}-th key of {@code n} with fresh random values, {@value #BATCH} a commit. */
    private static void put(PeerBench.Engine engine, int n, int step, int size, Random rnd) {
        List<byte[]> keys = new ArrayList<>(BATCH);
        List<byte[]> values = new ArrayList<>(BATCH);
        for (int i = 0; i < n; i += step) {
            keys.add(String.format("space-%08d", i).getBytes());
            byte[] v = new byte[size];
            rnd.nextBytes(v);
            values.add(v);
            if (keys.size() == BATCH) {
                engine.commit(keys, values);
                keys.clear();
                values.clear();
            }
        }
        if (!keys.isEmpty()) {
            engine.commit(keys, values);
        }
    }

    /** Bytes this process has caused to be sent to storage since it started. */
    private static long writeBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
            if (line.startsWith("write_bytes:")) {
                return Long.parseLong(line.substring("write_bytes:".length()).trim());
            }
        }
        throw new IllegalStateException("/proc/self/io has no write_bytes line: this bench needs Linux's I/O accounting");
    }

    /** Allocated bytes of every file under {@code d}, as {@code du} counts them (sparse holes are free). */
    static long allocated(Path d) throws IOException {
        Process p = new ProcessBuilder("du", "-s", "-B1", d.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        try {
            if (p.waitFor() != 0) {
                throw new IOException("du failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for du", e);
        }
        return Long.parseLong(out.split("\\s+")[0]);
    }
}
