package dev.cairn.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.CairnException;
import dev.cairn.api.InvalidKeyException;
import dev.cairn.api.StoreClosedException;
import dev.cairn.api.StoreFormatException;
import dev.cairn.api.TxnClosedException;
import dev.cairn.api.ValueTooLargeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    @Test
    void committedWritesSurviveReopenAndRolledBackOnesDoNot() {
        Path file = dir.resolve("s.cairn");
        try (Store s = Store.create(file, StoreConfig.defaults())) {
            try (Txn t = s.begin()) {
                t.put(b("a"), b("alpha"));
                t.put(b("b"), b("beta"));
                assertArrayEquals(b("alpha"), t.get(b("a")), "a transaction reads its own writes");
                t.commit();
            }
            try (Txn t = s.begin()) {
                t.put(b("c"), b("gamma"));
                assertTrue(t.delete(b("b")));
            } // closed without commit: rolled back
            try (Txn t = s.begin()) {
                assertTrue(t.delete(b("a")));
                assertFalse(t.delete(b("zz")));
                t.put(b("b"), b("beta2"));
                t.commit();
            }
        }
        try (Store s = Store.open(file, StoreConfig.defaults()); Txn t = s.begin()) {
            assertNull(t.get(b("a")));
            assertArrayEquals(b("beta2"), t.get(b("b")));
            assertNull(t.get(b("c")));
            assertEquals(1, s.stats().keys());
        }
    }

    /**
     * A commit looks its keys' old values up a part at a time: one spanning
     * several parts still counts every key once and frees exactly the chunks
     * of the large values it replaces or deletes, wherever they fall.
     */
    @Test
    void aCommitOfManyKeysCountsThemAndFreesWhatItReplaces() {
        final int large = 200_000;
        Random rnd = new Random(7);
        TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
        try (Store s = Store.create(dir.resolve("s.cairn"), StoreConfig.defaults().sizeBytes(256L << 20))) {
            long used0 = s.stats().usedBytes();
            for (int round = 0; round < 3; round++) {
                try (Txn t = s.begin()) {
                    for (int i = 0; i < 10_000; i++) {
                        byte[] k = b(String.format("k%05d", rnd.nextInt(15_000)));
                        if (rnd.nextInt(5) == 0) {
                            t.delete(k);
                            model.remove(k);
                        } else {
                            byte[] v = new byte[i % 997 == 0 ? large : 20];
                            rnd.nextBytes(v);
                            t.put(k, v);
                            model.put(k, v);
                        }
                    }
                    t.commit();
                }
                assertEquals(model.size(), s.stats().keys(), "round " + round);
                dev.cairn.engine.check.CheckReport report = s.check();
                assertTrue(report.ok(), "round " + round + ": " + report);
            }
            try (Txn t = s.begin()) {
                for (var e : model.entrySet()) {
                    assertArrayEquals(e.getValue(), t.get(e.getKey()));
                    t.delete(e.getKey());
                }
                t.commit();
            }
            assertEquals(0, s.stats().keys());
            // Less left than one large value: every chunk went with its value.
            // (What stays is the allocator's own log; leaving deleted values'
            // chunks behind would leave megabytes.)
            long left = s.stats().usedBytes() - used0;
            assertTrue(left < large, "bytes still used after deleting everything: " + left);
        }
    }

    @Test
    void aTransactionReadsTheSnapshotItBeganOn() {
        try (Store s = Store.create(dir.resolve("s.cairn"), StoreConfig.defaults());
             Txn writer = s.begin(); Txn reader = s.begin()) {
            writer.put(b("k"), b("v"));
            assertNull(reader.get(b("k")), "uncommitted writes are invisible");
            writer.commit();
            assertNull(reader.get(b("k")), "a commit after begin is invisible too");
            try (Txn later = s.begin()) {
                assertArrayEquals(b("v"), later.get(b("k")));
            }
        }
    }

    @Test
    void badKeysAndValuesAreRefusedByName() {
        try (Store s = Store.create(dir.resolve("s.cairn"), StoreConfig.defaults().maxValueBytes(10));
             Txn t = s.begin()) {
            assertTrue(assertThrows(InvalidKeyException.class, () -> t.put(new byte[0], b("v")))
                    .getMessage().contains("empty"));
            assertTrue(assertThrows(InvalidKeyException.class, () -> t.get(new byte[257]))
                    .getMessage().contains("257 bytes"));
            t.put(new byte[256], b("ok"));
            assertTrue(assertThrows(ValueTooLargeException.class, () -> t.put(b("k"), new byte[11]))
                    .getMessage().contains("11 bytes"));
        }
    }

    @Test
    void closedTransactionsAndStoresSayWhatIsClosed() {
        Store s = Store.create(dir.resolve("s.cairn"), StoreConfig.defaults());
        Txn t = s.begin();
        t.commit();
        assertThrows(TxnClosedException.class, () -> t.get(b("k")));
        s.close();
        assertThrows(StoreClosedException.class, s::begin);
    }

    /**
     * The console may read the figures while the server closes the store (and
     * after): a closed store counts no keys and no snapshots, and says so
     * rather than throwing.
     */
    @Test
    void aClosedStoresFiguresCountNothingInsteadOfThrowing() {
        Store s = Store.create(dir.resolve("s.cairn"), StoreConfig.defaults());
        try (Txn t = s.begin()) {
            t.put(b("k"), b("v"));
            t.commit();
        }
        s.createSnapshot("before");
        StoreStats open = s.stats();
        assertEquals(1, open.keys());
        assertEquals(1, open.snapshots());
        s.close();
        StoreStats closed = s.stats();
        assertEquals(0, closed.keys());
        assertEquals(0, closed.snapshots());
        assertEquals(open.commits(), closed.commits(), "what the store did stays counted");
    }

    @Test
    void createRefusesAnExistingFileAndOpenAMissingOne() {
        Path file = dir.resolve("s.cairn");
        Store.create(file, StoreConfig.defaults()).close();
        assertTrue(assertThrows(CairnException.class, () -> Store.create(file, StoreConfig.defaults()))
                .getMessage().contains("exists"));
        assertTrue(assertThrows(CairnException.class, () -> Store.open(dir.resolve("none"), StoreConfig.defaults()))
                .getMessage().contains("no such file"));
    }

    @Test
    void aFileThatIsNotAStoreIsRefusedSayingWhatItIs() throws IOException {
        Path interim = dir.resolve("old.cairn");
        Files.write(interim, Arrays.copyOf(b("CAIRN-L1"), 1 << 20));
        StoreFormatException e = assertThrows(StoreFormatException.class, () -> Store.open(interim, StoreConfig.defaults()));
        assertTrue(e.getMessage().contains("interim engine"), e.getMessage());
        Path junk = dir.resolve("junk");
        Files.write(junk, new byte[1 << 20]);
        e = assertThrows(StoreFormatException.class, () -> Store.open(junk, StoreConfig.defaults()));
        assertTrue(e.getMessage().contains("not a Cairn store"), e.getMessage());
    }
}
