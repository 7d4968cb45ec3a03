package dev.cairn.bench;

import static dev.cairn.bench.Measures.median;
import static dev.cairn.bench.Measures.wipe;

import dev.cairn.engine.Store;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.Txn;
import dev.cairn.engine.backup.SnapshotReceiver;
import dev.cairn.engine.backup.SnapshotSender;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/**
 * Snapshot streams against copying the store file: a store of
 * {@value #DATA_MIB} MiB of values (a mix of 100 B, 4 KiB and 1 MiB) is sent
 * whole to a file (forced), received into a new store, and, as the baseline
 * in the same run, copied with {@code cp} and then {@code sync}; each three
 * times, medians printed in MB/s of live value bytes. Then 1% of the keys
 * change and the incremental stream's size is set against the bytes
 * changed. Part of {@code mvn -B -pl adapter/engine -am -Pbench test}.
 */
public final class StreamBench {

    static final int DATA_MIB = 128;

    private StreamBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(System.getProperty("bench.dir", "target/bench")).resolve("stream"));
        wipe(dir);
        Files.createDirectories(dir);
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(1L << 30).cacheBytes(64L << 20);
        Path src = dir.resolve("src.cairn");
        Random rnd = new Random(1);
        long live = 0;
        int keys = 0;
        try (Store s = Store.create(src, cfg)) {
            while (live < (long) DATA_MIB << 20) {
                try (Txn t = s.begin()) {
                    for (int i = 0; i < 100; i++) {
                        int kind = rnd.nextInt(100);
                        byte[] v = new byte[kind < 60 ? 100 : kind < 99 ? 4096 : 1 << 20];
                        rnd.nextBytes(v);
                        t.put(("k" + keys++).getBytes(), v);
                        live += v.length;
                    }
                    t.commit();
                }
            }
            s.createSnapshot("a");
        }
        double[] send = new double[3];
        double[] receive = new double[3];
        double[] copy = new double[3];
        long streamBytes = 0;
        for (int r = 0; r < 3; r++) {
            Path stream = dir.resolve("a.stream");
            Path restored = dir.resolve("restored.cairn");
            Path copied = dir.resolve("copied.cairn");
            Files.deleteIfExists(stream);
            Files.deleteIfExists(restored);
            Files.deleteIfExists(copied);
            long t0 = System.nanoTime();
            try (Store s = Store.open(src, cfg); FileChannel ch = FileChannel.open(stream, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE); OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                SnapshotSender.send(s, "a", null, out);
                out.flush();
                ch.force(true);
            }
            send[r] = live / 1e6 / ((System.nanoTime() - t0) / 1e9);
            streamBytes = Files.size(stream);
            t0 = System.nanoTime();
            try (InputStream in = new BufferedInputStream(Files.newInputStream(stream), 1 << 16)) {
                SnapshotReceiver.intoNewStore(in, restored, cfg);
            }
            receive[r] = live / 1e6 / ((System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            run("cp", "--sparse=always", src.toString(), copied.toString());
            run("sync", copied.toString());
            copy[r] = live / 1e6 / ((System.nanoTime() - t0) / 1e9);
        }
        System.out.printf("snapshot streams: %d MiB of values in %d keys (60%% 100 B, 39%% 4 KiB, 1%% 1 MiB), a stream of %d bytes%n",
                DATA_MIB, keys, streamBytes);
        System.out.printf("%-40s %10s %10s%n", "MB/s of values, median of 3", "MB/s", "/ cp+sync");
        System.out.printf("%-40s %10.0f %10.2f%n", "send to a file, forced", median(send), median(send) / median(copy));
        System.out.printf("%-40s %10.0f %10.2f%n", "receive into a new store", median(receive), median(receive) / median(copy));
        System.out.printf("%-40s %10.0f %10.2f%n", "cp --sparse=always + sync of the store", median(copy), 1.0);

        long changed = 0;
        int changedKeys = 0;
        try (Store s = Store.open(src, cfg); Txn t = s.begin()) {
            for (int k = 0; k < keys; k += 100) {
                byte[] old = t.get(("k" + k).getBytes());
                byte[] v = new byte[old.length];
                rnd.nextBytes(v);
                t.put(("k" + k).getBytes(), v);
                changed += v.length;
                changedKeys++;
            }
            t.commit();
        }
        Path incr = dir.resolve("b.stream");
        Files.deleteIfExists(incr);
        long t0 = System.nanoTime();
        try (Store s = Store.open(src, cfg); OutputStream out = new BufferedOutputStream(Files.newOutputStream(incr), 1 << 16)) {
            s.createSnapshot("b");
            SnapshotSender.send(s, "b", "a", out);
        }
        double incrSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("incremental stream after changing %d keys (%d bytes of values): %d bytes, %.3f of the change;"
                + " sent in %.2f s%n", changedKeys, changed, Files.size(incr), (double) Files.size(incr) / changed, incrSeconds);
        wipe(dir);
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed");
        }
    }

}
