package dev.cairn.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.CairnException;
import dev.cairn.api.CorruptBlockException;
import dev.cairn.engine.block.BlockFormat;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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

    /**
     * Commits that queue for the commit lock are applied together, in one
     * tree write. When that write fails because of one of them (here: it
     * writes under a corrupt leaf), the others must still commit: each is
     * then applied alone and hears only its own outcome. Under this load
     * nearly every failing commit shares a batch with healthy ones, so a
     * store that refused the whole batch fails this test.
     */
    @Test
    void aCommitThatCannotBeAppliedFailsAloneAndTheCommitsBatchedWithItSucceed() throws Exception {
        Path file = dir.resolve("s.cairn");
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(64L << 20).cacheBytes(4L << 20);
        byte[] value = new byte[100];
        try (Store s = Store.create(file, cfg); Txn t = s.begin()) {
            for (int i = 0; i < 1500; i++) {
                t.put(String.format("a-%04d", i).getBytes(UTF_8), value);
                t.put(String.format("z-%04d", i).getBytes(UTF_8), value);
            }
            t.commit();
        }
        // A leaf in the middle of the z keys (and any stale copy of it) goes
        // bad; the leaves the a keys route to, and the last leaf (the key
        // count, the prepared transactions), stay good.
        assertTrue(flipLeavesHolding(file, "z-0700".getBytes(UTF_8)) > 0, "found the leaf");

        int healthyThreads = 6;
        int each = 40;
        AtomicInteger corruptRefusals = new AtomicInteger();
        try (Store s = Store.open(file, cfg)) {
            ExecutorService pool = Executors.newFixedThreadPool(healthyThreads + 2);
            AtomicBoolean stop = new AtomicBoolean();
            List<Future<?>> bad = new ArrayList<>();
            for (int b = 0; b < 2; b++) {
                byte[] badKey = ("z-0700x" + b).getBytes(UTF_8); // routes to the bad leaf
                bad.add(pool.submit(() -> {
                    while (!stop.get()) {
                        try (Txn tx = s.begin()) {
                            tx.put(badKey, value);
                            CorruptBlockException e = assertThrows(CorruptBlockException.class, tx::commit);
                            assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
                            corruptRefusals.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            List<Future<?>> healthy = new ArrayList<>();
            for (int h = 0; h < healthyThreads; h++) {
                int id = h;
                healthy.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        try (Txn tx = s.begin()) {
                            tx.put(("a-new-" + id + "-" + i).getBytes(UTF_8), ("v" + i).getBytes(UTF_8));
                            tx.commit();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : healthy) {
                f.get();
            }
            stop.set(true);
            for (Future<?> f : bad) {
                f.get();
            }
            pool.shutdown();
            assertTrue(corruptRefusals.get() > 0, "the bad commits ran");
        }
        try (Store s = Store.open(file, cfg); Txn t = s.begin()) {
            for (int h = 0; h < healthyThreads; h++) {
                for (int i = 0; i < each; i++) {
                    assertArrayEquals(("v" + i).getBytes(UTF_8), t.get(("a-new-" + h + "-" + i).getBytes(UTF_8)));
                }
            }
        }
    }

    /** Flips a bit in every leaf block of the file that holds {@code key}; returns how many. */
    private static int flipLeavesHolding(Path file, byte[] key) throws IOException {
        int flipped = 0;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] block = new byte[BlockFormat.BLOCK_SIZE];
            for (long at = 0; at + block.length <= raf.length(); at += block.length) {
                raf.seek(at);
                raf.readFully(block);
                boolean leaf = ((block[0] & 0xff) << 8 | (block[1] & 0xff)) == BlockFormat.TYPE_LEAF;
                if (leaf && indexOf(block, key) >= 0) {
                    block[4000] ^= 0x04;
                    raf.seek(at);
                    raf.write(block);
                    flipped++;
                }
            }
        }
        return flipped;
    }

    private static int indexOf(byte[] in, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= in.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (in[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * A force that fails while many committers wait: each of them must hear
     * of it (none left asleep, none told it is durable when its sync
     * failed), every commit that returned must be there after a reopen, and
     * nothing commits afterwards.
     */
    @Test
    void aForceThatFailsUnderManyCommittersFailsEachWaiterAndLosesNoAcknowledgedCommit() throws Exception {
        Path file = dir.resolve("s.cairn");
        AtomicReference<dev.cairn.engine.disk.FaultyChannel> ch = new AtomicReference<>();
        StoreConfig faulty = StoreConfig.defaults().sizeBytes(64L << 20).cacheBytes(4L << 20).channelOpener((p, o) -> {
            ch.set(new dev.cairn.engine.disk.FaultyChannel(FileChannel.open(p, o)));
            return ch.get();
        });
        int threads = 12;
        List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failed = new AtomicInteger();
        List<String> unseen = Collections.synchronizedList(new ArrayList<>());
        try (Store s = Store.create(file, faulty)) {
            ch.get().forcesUntilFailure.set(40);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; ; i++) {
                        String key = "t" + id + "-" + i;
                        try (Txn tx = s.begin()) {
                            tx.put(key.getBytes(UTF_8), key.getBytes(UTF_8));
                            tx.commit();
                            acknowledged.add(key);
                        } catch (CairnException e) {
                            failed.incrementAndGet();
                            return;
                        }
                        try (Txn r = s.begin()) {
                            if (r.get(key.getBytes(UTF_8)) == null) {
                                unseen.add(key); // returned as durable, yet not what the store now reads
                            }
                        } catch (CairnException e) {
                            failed.incrementAndGet();
                            return;
                        }
                    }
                }));
            }
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (Future<?> f : done) {
                    f.get();
                }
            }, "a committer was left waiting after the failed force");
            pool.shutdown();
            assertEquals(threads, failed.get(), "every committer heard of the failure");
            assertEquals(List.of(), unseen, "commits that returned but a transaction begun after did not see");
            assertTrue(s.isReadOnly());
            assertTrue(acknowledged.size() >= 40, acknowledged.size() + " commits before the failure");
        }
        try (Store s = Store.open(file, StoreConfig.defaults()); Txn tx = s.begin()) {
            for (String key : acknowledged) {
                assertArrayEquals(key.getBytes(UTF_8), tx.get(key.getBytes(UTF_8)), key + " was acknowledged");
            }
            assertTrue(s.check().ok());
        }
    }
}
