package dev.cairn.bench;

import dev.cairn.engine.Store;
import dev.cairn.engine.StoreConfig;
import dev.cairn.api.TransactionTooLargeException;
import dev.cairn.engine.Txn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * One transaction of many 100-byte puts, committed, then the store checked.
 * {@link BlockBench} runs it in a child JVM with a small heap to find which
 * sizes fit. Arguments: a directory for the store, the number of puts, and
 * the store's maxTransactionBytes ("default" for its default).
 */
public final class BigTransaction {

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]).resolve("big-transaction.cairn");
        int puts = Integer.parseInt(args[1]);
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(1L << 30).cacheBytes(32L << 20);
        if (!args[2].equals("default")) {
            cfg = cfg.maxTransactionBytes(Long.parseLong(args[2]));
        }
        Files.deleteIfExists(file);
        try (Store s = Store.create(file, cfg)) {
            Random rnd = new Random(1);
            byte[] value = new byte[100];
            long start = System.nanoTime();
            try (Txn t = s.begin()) {
                for (int i = 0; i < puts; i++) {
                    rnd.nextBytes(value);
                    try {
                        t.put(String.format("k%09d", rnd.nextInt(1_000_000_000)).getBytes(), value);
                    } catch (TransactionTooLargeException e) {
                        System.out.printf("refused at put %,d: %s%n", i + 1, e.getClass().getSimpleName());
                        return;
                    }
                }
                t.commit();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            boolean ok = s.check().ok();
            System.out.printf("committed, %d keys, %.1f s for the puts and the commit, check %s%n",
                    s.stats().keys(), seconds, ok ? "clean" : "FAILED");
            if (!ok) {
                System.exit(2);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
