package dev.cairn.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.CairnException;
import dev.cairn.api.CorruptBlockException;
import dev.cairn.api.ReadOnlyStoreException;
import dev.cairn.api.TransactionTooLargeException;
import dev.cairn.api.WriteConflictException;
import dev.cairn.engine.disk.FaultyChannel;
import dev.cairn.engine.object.ObjectLayout;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransactionTest {

    @TempDir
    Path dir;

    private static final StoreConfig CFG = StoreConfig.defaults().sizeBytes(64L << 20).cacheBytes(4L << 20);

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    /**
     * A transaction left open keeps the blocks of its own version from
     * reuse, and only those; the figures show it (how many readers, since
     * when, how many blocks wait), and closing it lets them go at the next
     * sync.
     */
    @Test
    void aTransactionLeftOpenShowsInTheFiguresUntilItEnds() throws InterruptedException {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            assertEquals(0, s.blockStats().pins());
            assertEquals(0, s.blockStats().oldestPinNanos());
            try (Txn t = s.begin()) {
                t.put(b("k0"), b("first"));
                t.commit();
            }
            Txn reader = s.begin();
            assertArrayEquals(b("first"), reader.get(b("k0")));
            Thread.sleep(20);
            for (int i = 0; i < 50; i++) {
                try (Txn t = s.begin()) {
                    t.put(b("k" + i), new byte[100]);
                    t.commit();
                }
            }
            s.sync();
            BlockStoreStats held = s.blockStats();
            assertEquals(1, held.pins(), "the reader is the only one still open");
            assertTrue(held.oldestPinNanos() >= 20_000_000L, "held for " + held.oldestPinNanos() + " ns");
            // Its version is one leaf (and a log block the arenas may have
            // compressed away meanwhile); each of the 50 commits replaced a
            // leaf born after it, and those went back.
            assertTrue(held.retiredWaiting() >= 1 && held.retiredWaiting() <= 9,
                    "blocks waiting for the reader: " + held.retiredWaiting());
            assertArrayEquals(b("first"), reader.get(b("k0")), "the reader still sees the store as it began");
            reader.close();
            s.sync();
            BlockStoreStats after = s.blockStats();
            assertEquals(0, after.pins());
            assertEquals(0, after.oldestPinNanos());
            assertEquals(0, after.retiredWaiting(), "with the reader gone, the next sync lets them all go");
        }
    }

    /**
     * Churn past the file's size with a reader open: the blocks later
     * commits write and replace are reused (were they kept for the reader,
     * the store would fill up), while every block of the reader's version
     * stays as it was, read back from the disk (the cache holds a fraction
     * of what the churn writes) against its hash.
     */
    @Test
    void aReaderLeftOpenKeepsItsVersionWhileLaterBlocksAreReused() {
        int keys = 3000;
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            Random rnd = new Random(17);
            byte[][] first = new byte[keys][];
            try (Txn t = s.begin()) {
                for (int i = 0; i < keys; i++) {
                    first[i] = new byte[200];
                    rnd.nextBytes(first[i]);
                    t.put(b(String.format("key-%05d", i)), first[i]);
                }
                t.commit();
            }
            long usedBefore = s.stats().usedBytes();
            try (Txn reader = s.begin()) {
                long written = 0;
                for (int c = 0; written < 2 * CFG.sizeBytes(); c++) {
                    long w0 = s.blockStats().blocksWritten();
                    try (Txn t = s.begin()) {
                        for (int i = 0; i < 100; i++) {
                            byte[] v = new byte[200];
                            rnd.nextBytes(v);
                            t.put(b(String.format("key-%05d", rnd.nextInt(keys))), v);
                        }
                        t.commit();
                    }
                    written += (s.blockStats().blocksWritten() - w0) * 16384;
                }
                assertTrue(s.stats().usedBytes() < 4 * usedBefore,
                        "used " + s.stats().usedBytes() + " bytes with the reader open, " + usedBefore + " before the churn");
                for (int i = 0; i < keys; i++) {
                    assertArrayEquals(first[i], reader.get(b(String.format("key-%05d", i))), "key " + i);
                }
            }
            assertTrue(s.check().ok(), s.check().toString());
        }
    }

    @Test
    void aWriterWhoReadTheKeyAnotherCommittedSinceGetsAConflictAndNothingOfItIsWritten() {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            try (Txn a = s.begin(); Txn b = s.begin()) {
                assertNull(b.get(b("k")));
                a.put(b("k"), b("a"));
                b.put(b("k"), b("b"));
                b.put(b("other"), b("b"));
                a.commit();
                WriteConflictException e = assertThrows(WriteConflictException.class, b::commit);
                assertTrue(e.getMessage().contains("k") && e.getMessage().contains("conflict"), e.getMessage());
            }
            try (Txn t = s.begin()) {
                assertArrayEquals(b("a"), t.get(b("k")));
                assertNull(t.get(b("other")), "the loser wrote nothing");
            }
            assertEquals(1, s.stats().conflicts());
            // Disjoint writers both commit.
            try (Txn a = s.begin(); Txn b = s.begin()) {
                a.put(b("x"), b("1"));
                b.put(b("y"), b("2"));
                a.commit();
                b.commit();
            }
            assertTrue(s.check().ok());
        }
    }

    /**
     * A write of a key this transaction read, after another committed that
     * key, can never commit: it is refused at the write, so an application
     * learns of the conflict (by its type) where it can still roll back and
     * retry, rather than as a generic rollback at its JTA commit.
     */
    @Test
    void aWriteOfAKeyReadAndSinceCommittedByAnotherIsRefusedAtTheWrite() {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            try (Txn a = s.begin(); Txn b = s.begin()) {
                assertNull(b.get(b("k")));
                b.put(b("k"), b("b, before a committed"));
                a.put(b("k"), b("a"));
                a.commit();
                b.put(b("unread"), b("b")); // a key b never read: still a blind write
                WriteConflictException e = assertThrows(WriteConflictException.class, () -> b.put(b("k"), b("b")));
                assertTrue(e.getMessage().contains("k") && e.getMessage().contains("read it"), e.getMessage());
                assertThrows(WriteConflictException.class, () -> b.delete(b("k")));
                assertThrows(WriteConflictException.class,
                        () -> b.putStream(b("k"), new ByteArrayInputStream(b("streamed"))));
                assertThrows(WriteConflictException.class, b::commit);
            }
            try (Txn t = s.begin()) {
                assertArrayEquals(b("a"), t.get(b("k")));
                assertNull(t.get(b("unread")), "the loser wrote nothing");
            }
            assertTrue(s.check().ok());
        }
    }

    @Test
    void blindWritersOfOneKeyBothCommitAndTheLaterWins() {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            try (Txn a = s.begin(); Txn b = s.begin(); Txn c = s.begin()) {
                a.put(b("k"), b("a"));
                b.put(b("k"), b("b"));
                assertFalse(c.delete(b("gone")), "the delete's answer is the snapshot's");
                a.commit();
                b.commit();
                c.put(b("k"), b("c"));
                c.commit();
            }
            try (Txn a = s.begin(); Txn b = s.begin()) {
                assertTrue(a.delete(b("k")));
                b.put(b("k"), b("after the delete"));
                a.commit();
                b.commit();
            }
            try (Txn t = s.begin()) {
                assertArrayEquals(b("after the delete"), t.get(b("k")));
            }
            assertEquals(0, s.stats().conflicts());
            assertEquals(1, s.stats().keys());
            assertTrue(s.check().ok());
        }
    }

    @Test
    void everyKindOfReadIsProtectedAndOnlyWhatWasRead() {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            try (Txn t = s.begin()) {
                t.put(b("k"), b("0"));
                t.put(b("r/1"), b("0"));
                t.commit();
            }
            Map<String, Consumer<Txn>> reads = new LinkedHashMap<>();
            reads.put("get", t -> t.get(b("k")));
            reads.put("exists", t -> t.exists(b("k")));
            reads.put("getStream", t -> {
                try (InputStream in = t.getStream(b("k"))) {
                    in.readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            reads.put("scan", t -> t.scan(b("j"), b("l")).forEach(e -> { }));
            reads.put("sizes to the end", t -> t.sizes(b("a"), null).forEach(e -> { }));
            long conflicts = 0;
            for (Map.Entry<String, Consumer<Txn>> read : reads.entrySet()) {
                try (Txn reader = s.begin(); Txn writer = s.begin()) {
                    read.getValue().accept(reader);
                    reader.put(b("out-" + read.getKey()), b("x"));
                    writer.put(b("k"), b(read.getKey()));
                    writer.commit();
                    assertThrows(WriteConflictException.class, reader::commit, read.getKey());
                    conflicts++;
                }
                // A read of another key, or a scan of a range without it, does not conflict.
                try (Txn reader = s.begin(); Txn writer = s.begin()) {
                    reader.get(b("r/1"));
                    reader.scan(b("l"), null).forEach(e -> { });
                    reader.put(b("in-" + read.getKey()), b("x"));
                    writer.put(b("k"), b("again " + read.getKey()));
                    writer.commit();
                    reader.commit();
                }
                // A read answered by the transaction's own earlier write depends on nobody.
                try (Txn own = s.begin(); Txn writer = s.begin()) {
                    own.put(b("k"), b("own"));
                    assertArrayEquals(b("own"), own.get(b("k")));
                    writer.put(b("k"), b("other"));
                    writer.commit();
                    own.commit();
                }
                assertEquals(conflicts, s.stats().conflicts(), read.getKey());
            }
            try (Txn t = s.begin()) {
                assertArrayEquals(b("own"), t.get(b("k")));
                for (String kind : reads.keySet()) {
                    assertNull(t.get(b("out-" + kind)), kind);
                    assertArrayEquals(b("x"), t.get(b("in-" + kind)), kind);
                }
            }
        }
    }

    @Test
    void readsOfOneTransactionInAQueuedBatchConflictWithAnEarlierCommitOfTheBatch() throws Exception {
        // Commits queued together are applied in one tree write; a reader among
        // them must still lose to the writer ahead of it, and a blind writer not.
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            int rounds = 200;
            AtomicInteger refused = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> jobs = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int id = w;
                jobs.add(pool.submit(() -> {
                    for (int n = 0; n < rounds; n++) {
                        try (Txn t = s.begin()) {
                            if (id % 2 == 0) {
                                t.put(b("shared"), b(id + "-" + n)); // blind
                            } else {
                                byte[] v = t.get(b("counter"));
                                int c = v == null ? 0 : Integer.parseInt(new String(v, UTF_8));
                                t.put(b("counter"), b(String.valueOf(c + 1)));
                            }
                            t.commit();
                        } catch (WriteConflictException e) {
                            assertEquals(1, id % 2, "a blind writer conflicted: " + e.getMessage());
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : jobs) {
                f.get();
            }
            pool.shutdown();
            try (Txn t = s.begin()) {
                int counter = Integer.parseInt(new String(t.get(b("counter")), UTF_8));
                assertEquals(2 * rounds - refused.get(), counter, "every increment that committed counted once");
            }
            assertEquals(refused.get(), s.stats().conflicts());
        }
    }

    @Test
    void scansAreOrderedAndSeeTheSnapshotPlusOwnWrites() {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            try (Txn t = s.begin()) {
                for (int i = 0; i < 300; i++) {
                    t.put(b(String.format("key-%04d", i)), b("v" + i));
                }
                t.commit();
            }
            try (Txn t = s.begin()) {
                t.delete(b("key-0010"));
                t.put(b("key-0011"), b("changed"));
                t.put(b("key-0011a"), b("new"));
                List<String> keys = new ArrayList<>();
                for (Map.Entry<byte[], byte[]> e : t.scan(b("key-0009"), b("key-0013"))) {
                    keys.add(new String(e.getKey(), UTF_8) + "=" + new String(e.getValue(), UTF_8));
                }
                assertEquals(List.of("key-0009=v9", "key-0011=changed", "key-0011a=new", "key-0012=v12"), keys);
                int all = 0;
                for (Map.Entry<byte[], byte[]> ignored : t.scan(null, null)) {
                    all++;
                }
                assertEquals(300, all);
            }
        }
    }

    @Test
    void largeValuesRoundTripAndTheirBlocksComeBack() {
        Path file = dir.resolve("s.cairn");
        Random rnd = new Random(3);
        byte[] big = new byte[3 * 16384 + 1234];
        rnd.nextBytes(big);
        long usedEmpty;
        try (Store s = Store.create(file, CFG)) {
            usedEmpty = s.stats().usedBytes();
            try (Txn t = s.begin()) {
                t.put(b("big"), big);
                t.put(b("small"), b("s"));
                t.commit();
            }
        }
        try (Store s = Store.open(file, CFG)) {
            try (Txn t = s.begin()) {
                assertArrayEquals(big, t.get(b("big")));
            }
            assertTrue(s.check().ok(), () -> s.check().toString());
            for (int round = 0; round < 30; round++) {
                byte[] next = new byte[rnd.nextInt(5 * 16384)];
                rnd.nextBytes(next);
                try (Txn t = s.begin()) {
                    t.put(b("big"), next);
                    t.commit();
                }
                try (Txn t = s.begin()) {
                    assertArrayEquals(next, t.get(b("big")));
                }
            }
            try (Txn t = s.begin()) {
                assertTrue(t.delete(b("big")));
                assertTrue(t.delete(b("small")));
                t.commit();
            }
            for (int i = 0; i < 3; i++) {
                try (Txn t = s.begin()) { // empty syncs: let the last frees come back
                    t.put(b("tick"), b("" + i));
                    t.commit();
                }
            }
            assertTrue(s.stats().usedBytes() < usedEmpty + 16 * 16384,
                    "used " + s.stats().usedBytes() + " bytes, empty store used " + usedEmpty);
            assertTrue(s.check().ok(), () -> s.check().toString());
        }
    }

    @Test
    void overwritingAndDeletingInALoopKeepsSpaceBounded() {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            Random rnd = new Random(9);
            long peak = 0;
            for (int round = 0; round < 200; round++) {
                try (Txn t = s.begin()) {
                    for (int i = 0; i < 50; i++) {
                        byte[] v = new byte[rnd.nextInt(400)];
                        rnd.nextBytes(v);
                        if (rnd.nextInt(3) == 0) {
                            t.delete(b("k" + rnd.nextInt(500)));
                        } else {
                            t.put(b("k" + rnd.nextInt(500)), v);
                        }
                    }
                    t.commit();
                }
                if (round > 50) {
                    peak = Math.max(peak, s.stats().usedBytes());
                }
            }
            // 500 keys of at most 400 bytes: well under 1 MiB of live data.
            assertTrue(peak < 4L << 20, "used space peaked at " + peak + " bytes");
            assertTrue(s.check().ok(), () -> s.check().toString());
        }
    }

    @Test
    void concurrentIncrementsLoseNoUpdate() throws Exception {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            try (Txn t = s.begin()) {
                t.put(b("counter"), b("0"));
                t.commit();
            }
            int threads = 8;
            int each = 25;
            AtomicInteger conflicts = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> jobs = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int id = i;
                jobs.add(pool.submit(() -> {
                    for (int n = 0; n < each; n++) {
                        while (true) {
                            try (Txn t = s.begin()) {
                                int v = Integer.parseInt(new String(t.get(b("counter")), UTF_8));
                                t.put(b("counter"), b(String.valueOf(v + 1)));
                                t.put(b("own-" + id + "-" + n), b("x"));
                                t.commit();
                                break;
                            } catch (WriteConflictException e) {
                                conflicts.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : jobs) {
                f.get();
            }
            pool.shutdown();
            try (Txn t = s.begin()) {
                assertEquals(String.valueOf(threads * each), new String(t.get(b("counter")), UTF_8));
            }
            assertEquals(1 + threads * each, s.stats().keys());
            assertTrue(conflicts.get() > 0, "contention produced conflicts");
            StoreStats st = s.stats();
            assertTrue(st.syncs() <= st.commits(), st.toString());
            assertTrue(s.check().ok());
        }
    }

    @Test
    void aFailedForceMakesTheStoreReadOnlyAndAReopenKeepsEveryAcknowledgedCommit() {
        Path file = dir.resolve("s.cairn");
        AtomicReference<FaultyChannel> ch = new AtomicReference<>();
        StoreConfig faulty = CFG.channelOpener((p, o) -> {
            ch.set(new FaultyChannel(FileChannel.open(p, o)));
            return ch.get();
        });
        try (Store s = Store.create(file, faulty)) {
            try (Txn t = s.begin()) {
                t.put(b("kept"), b("yes"));
                t.commit();
            }
            ch.get().forcesUntilFailure.set(0);
            try (Txn t = s.begin()) {
                for (int i = 0; i < 50; i++) {
                    t.put(b("maybe" + i), b("v" + i));
                }
                ReadOnlyStoreException e = assertThrows(ReadOnlyStoreException.class, t::commit);
                // The writes reached the kernel before the fsync failed: the commit
                // may be on disk, and the caller must not be told it is not.
                assertTrue(e.getMessage().contains("may have been made durable")
                        && e.getMessage().contains("read-only because")
                        && e.getMessage().contains("injected fsync failure"), e.getMessage());
            }
            assertTrue(s.isReadOnly() && s.stats().readOnly());
            try (Txn t = s.begin()) {
                t.put(b("later"), b("no"));
                assertThrows(ReadOnlyStoreException.class, t::commit);
            }
            try (Txn t = s.begin()) {
                assertArrayEquals(b("yes"), t.get(b("kept")), "reads still work");
            }
        }
        try (Store s = Store.open(file, CFG); Txn t = s.begin()) {
            assertArrayEquals(b("yes"), t.get(b("kept")));
            assertNull(t.get(b("later")));
            boolean there = t.get(b("maybe0")) != null;
            for (int i = 0; i < 50; i++) {
                assertArrayEquals(there ? b("v" + i) : null, t.get(b("maybe" + i)),
                        "the commit whose fsync failed is wholly there or wholly absent, key maybe" + i);
            }
            assertTrue(s.check().ok());
        }
    }

    @Test
    void aSyncThatFailsForAnyReasonLeavesTheStoreReadOnly() {
        Path file = dir.resolve("s.cairn");
        AtomicReference<FaultyChannel> ch = new AtomicReference<>();
        StoreConfig faulty = CFG.channelOpener((p, o) -> {
            ch.set(new FaultyChannel(FileChannel.open(p, o)));
            return ch.get();
        });
        try (Store s = Store.create(file, faulty)) {
            try (Txn t = s.begin()) {
                t.put(b("kept"), b("yes"));
                t.commit();
            }
            // Not an IOException: the file's own latch does not see it.
            ch.get().writesUntilUncheckedFailure.set(0);
            try (Txn t = s.begin()) {
                t.put(b("lost"), new byte[20_000]);
                assertThrows(CairnException.class, t::commit);
            }
            assertTrue(s.isReadOnly(), "a sync that failed midway must not be followed by another");
            try (Txn t = s.begin()) {
                t.put(b("later"), b("no"));
                assertThrows(ReadOnlyStoreException.class, t::commit);
            }
        }
        try (Store s = Store.open(file, CFG); Txn t = s.begin()) {
            assertArrayEquals(b("yes"), t.get(b("kept")));
            assertNull(t.get(b("lost")));
            assertTrue(s.check().ok(), () -> s.check().toString());
        }
    }

    @Test
    void aFlippedBitUnderAValueIsReportedNotReturned() throws IOException {
        Path file = dir.resolve("s.cairn");
        byte[] big = new byte[40000];
        new Random(1).nextBytes(big);
        try (Store s = Store.create(file, CFG); Txn t = s.begin()) {
            t.put(b("big"), big);
            t.commit();
        }
        List<dev.cairn.engine.block.Bptr> blocks;
        try (BlockStore bs = BlockStore.open(file, CFG)) {
            blocks = dev.cairn.engine.object.ObjectLayout.dataBlocks(bs, bs.roots().get(0), b("big"));
        }
        assertEquals(3, blocks.size());
        long addr = blocks.get(1).addr();
        flip(file, addr + 777);
        try (Store s = Store.open(file, CFG); Txn t = s.begin()) {
            CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> t.get(b("big")));
            assertTrue(e.getMessage().contains(String.format("0x%x", addr)) && e.getMessage().contains("corrupt"),
                    e.getMessage());
            assertFalse(s.check().ok());
        }
        flip(file, addr + 777);
        try (Store s = Store.open(file, CFG); Txn t = s.begin()) {
            assertArrayEquals(big, t.get(b("big")));
            assertTrue(s.check().ok());
        }
    }

    private static void flip(Path file, long offset) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int v = raf.read();
            raf.seek(offset);
            raf.write(v ^ 0x04);
        }
    }

    /**
     * A transaction that would hold more than maxTransactionBytes in memory
     * has the write that passes it refused, with an error naming the limit;
     * the transaction keeps what it had, an overwrite or delete of a key it
     * holds still fits, and a commit makes exactly the accepted writes durable.
     */
    @Test
    void aWritePastMaxTransactionBytesIsRefusedAndTheTransactionKeepsTheRest() {
        long limit = 10_000; // a write of a 5-byte key and a 100-byte value counts 5 + 100 + 128 = 233
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG.maxTransactionBytes(limit))) {
            int accepted = 0;
            TransactionTooLargeException refused = null;
            try (Txn t = s.begin()) {
                for (int i = 0; i < 100 && refused == null; i++) {
                    try {
                        t.put(b(String.format("k%04d", i)), new byte[100]);
                        accepted++;
                    } catch (TransactionTooLargeException e) {
                        refused = e;
                    }
                }
                assertEquals(limit / 233, accepted);
                assertTrue(refused.getMessage().contains("maxTransactionBytes (10000)"), refused.getMessage());
                assertNull(t.get(b(String.format("k%04d", accepted))), "the refused write is not in the transaction");
                t.put(b("k0000"), new byte[100]); // same size over a key it holds: still fits
                assertTrue(t.delete(b("k0001")));  // a delete counts no value: fits, and frees room
                t.put(b("k0002"), new byte[150]); // 50 more bytes: within the room the delete made
                assertThrows(TransactionTooLargeException.class, () -> t.put(b("k0003"), new byte[400]));
                assertEquals(100, t.get(b("k0003")).length, "a refused overwrite leaves the old value");
                t.commit();
            }
            try (Txn t = s.begin()) {
                assertEquals(150, t.get(b("k0002")).length);
                assertNull(t.get(b("k0001")));
                int present = 0;
                for (Map.Entry<byte[], byte[]> e : t.scan(null, null)) {
                    present++;
                }
                assertEquals(accepted - 1, present);
            }
            assertTrue(s.check().ok());
        }
    }

    /**
     * A large value counts only its key (it goes to data blocks, not the
     * heap), and one refused for the limit is refused before any of it is
     * copied: no block is reserved or leaked.
     */
    @Test
    void aLargeValuePastTheLimitIsRefusedBeforeItIsCopied() throws IOException {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG.maxTransactionBytes(400))) {
            long used = s.stats().usedBytes();
            long free = s.stats().freeBytes();
            try (Txn t = s.begin()) {
                t.put(b("big"), new byte[1 << 20]); // counts 3 + 128
                t.put(b("small"), new byte[100]);   // counts 5 + 100 + 128: 364 in all
                assertThrows(TransactionTooLargeException.class, () -> t.put(b("big2"), new byte[1 << 20]));
                ByteArrayInputStream in = new ByteArrayInputStream(new byte[1 << 20]);
                assertThrows(TransactionTooLargeException.class, () -> t.putStream(b("big3"), in));
                assertEquals((1 << 20) - (ObjectLayout.MAX_INLINE + 1), in.available(),
                        "only the head was read to tell a small value from a large one");
                t.rollback();
            }
            assertEquals(used, s.stats().usedBytes());
            s.sync(); // reserved blocks come back through the syncers (see BlockStore.unreserve)
            assertEquals(free, s.stats().freeBytes(), "nothing reserved for the refused values stayed reserved");
            assertTrue(s.check().ok());
        }
    }
}
