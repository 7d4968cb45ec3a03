package dev.cairn.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.CairnException;
import dev.cairn.api.NoSuchTransactionException;
import dev.cairn.api.WriteConflictException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreparedTransactionTest {

    @TempDir
    Path dir;

    private static final StoreConfig CFG = StoreConfig.defaults().sizeBytes(64L << 20).cacheBytes(4L << 20);

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private static byte[] read(Store s, String key) {
        try (Txn t = s.begin()) {
            return t.get(b(key));
        }
    }

    @Test
    void aPreparedTransactionSurvivesARestartHoldsItsKeysAndCommitsAfterIt() {
        Path file = dir.resolve("s.cairn");
        byte[] big = new byte[50_000];
        new Random(2).nextBytes(big);
        try (Store s = Store.create(file, CFG)) {
            try (Txn t = s.begin()) {
                t.put(b("a"), b("old"));
                t.put(b("gone"), b("x"));
                t.commit();
            }
            try (Txn t = s.begin()) {
                t.put(b("a"), b("new"));
                t.put(b("big"), big);
                t.delete(b("gone"));
                t.prepare(b("xid-1"));
            }
            assertArrayEquals(b("old"), read(s, "a"), "prepared writes are not published");
            assertNull(read(s, "big"));
            assertEquals(1, s.stats().prepared());
        } // the server dies between prepare and commit
        try (Store s = Store.open(file, CFG)) {
            List<byte[]> inDoubt = s.recover();
            assertEquals(1, inDoubt.size());
            assertArrayEquals(b("xid-1"), inDoubt.get(0));
            try (Txn t = s.begin()) {
                t.put(b("a"), b("intruder"));
                WriteConflictException e = assertThrows(WriteConflictException.class, t::commit);
                assertTrue(e.getMessage().contains("prepared"), e.getMessage());
            }
            s.commitPrepared(b("xid-1"));
            assertArrayEquals(b("new"), read(s, "a"));
            assertArrayEquals(big, read(s, "big"));
            assertNull(read(s, "gone"));
            assertTrue(s.recover().isEmpty());
            try (Txn t = s.begin()) { // the keys are free again
                t.put(b("a"), b("after"));
                t.commit();
            }
            assertTrue(s.check().ok(), () -> s.check().toString());
        }
        try (Store s = Store.open(file, CFG)) {
            assertArrayEquals(b("after"), read(s, "a"));
            assertArrayEquals(big, read(s, "big"));
            assertTrue(s.recover().isEmpty());
            assertEquals(2, s.stats().keys());
        }
    }

    @Test
    void aRolledBackPreparedTransactionLeavesNothingAndItsSpaceComesBack() {
        Path file = dir.resolve("s.cairn");
        try (Store s = Store.create(file, CFG)) {
            long usedBefore = s.stats().usedBytes();
            try (Txn t = s.begin()) {
                t.put(b("k"), new byte[100_000]);
                t.prepare(b("xid-2"));
            }
            s.rollbackPrepared(b("xid-2"));
            assertNull(read(s, "k"));
            assertTrue(s.recover().isEmpty());
            for (int i = 0; i < 3; i++) {
                try (Txn t = s.begin()) {
                    t.put(b("tick"), b("" + i));
                    t.commit();
                }
            }
            assertTrue(s.stats().usedBytes() < usedBefore + 8 * 16384, "used " + s.stats().usedBytes());
            assertTrue(s.check().ok(), () -> s.check().toString());
        }
    }

    @Test
    void unknownDuplicateAndConflictingPreparesAreRefused() {
        try (Store s = Store.create(dir.resolve("s.cairn"), CFG)) {
            assertThrows(NoSuchTransactionException.class, () -> s.commitPrepared(b("nope")));
            assertThrows(NoSuchTransactionException.class, () -> s.rollbackPrepared(b("nope")));
            try (Txn t = s.begin()) {
                t.put(b("k"), b("1"));
                t.prepare(b("dup"));
            }
            try (Txn t = s.begin()) {
                t.put(b("other"), b("1"));
                CairnException e = assertThrows(CairnException.class, () -> t.prepare(b("dup")));
                assertTrue(e.getMessage().contains("prepared already"), e.getMessage());
            }
            try (Txn early = s.begin(); Txn winner = s.begin()) {
                assertNull(early.get(b("w")), "early reads w, so a commit of w since it began conflicts");
                early.put(b("w"), b("early"));
                winner.put(b("w"), b("winner"));
                winner.commit();
                assertThrows(WriteConflictException.class, () -> early.prepare(b("late")));
            }
            assertEquals(1, s.recover().size());
        }
    }
}
