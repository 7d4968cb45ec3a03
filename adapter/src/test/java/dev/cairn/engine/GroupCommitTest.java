package dev.cairn.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitTest {

    @TempDir
    Path dir;

    @Test
    void concurrentCommitsAreAllDurableAndEachCountedOnce() throws Exception {
        Path file = dir.resolve("s.cairn");
        int threads = 8;
        int perThread = 50;
        try (Store s = Store.create(file, StoreConfig.defaults())) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        try (Txn tx = s.begin()) {
                            tx.put(("t" + id + "-" + i).getBytes(UTF_8), ("v" + i).getBytes(UTF_8));
                            tx.put(("last-" + id).getBytes(UTF_8), ("v" + i).getBytes(UTF_8));
                            tx.commit();
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            StoreStats st = s.stats();
            assertEquals(threads * perThread, st.commits());
            assertEquals(threads * perThread + threads, st.keys());
        }
        try (Store s = Store.open(file, StoreConfig.defaults()); Txn tx = s.begin()) {
            assertEquals(threads * perThread + threads, s.stats().keys());
            for (int t = 0; t < threads; t++) {
                // Each thread's commits were published in order: its last one wins.
                assertArrayEquals(("v" + (perThread - 1)).getBytes(UTF_8), tx.get(("last-" + t).getBytes(UTF_8)));
            }
        }
    }
}
