package dev.cairn.engine.backup;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.TransactionTooLargeException;
import dev.cairn.engine.Store;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.Txn;
import dev.cairn.engine.object.ObjectLayout;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values of 512 bytes to 4 KiB live in the leaves, except in a transaction
 * that already holds many writes in memory, which puts them in data blocks
 * as larger ones go (so a snapshot stream received into a standby, one
 * transaction, is bounded by the store and not by memory). Either way a
 * value reads back the same and has the same entity tag, so two stores with
 * the same contents have the same digest, and streams pass between them.
 */
class MediumValueStreamTest {

    /** Small enough that a transaction of 2000 values of 1000 bytes could not hold them all in memory. */
    private static final StoreConfig CFG = StoreConfig.defaults().sizeBytes(64L << 20).cacheBytes(4L << 20)
            .maxTransactionBytes(1L << 20);

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private static byte[] value(int i) {
        byte[] v = new byte[1000];
        new Random(i).nextBytes(v);
        return v;
    }

    private static byte[] send(Store s, String name, String base) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotSender.send(s, name, base, out);
        return out.toByteArray();
    }

    @Test
    void aTransactionOfManyMediumValuesKeepsThemOutOfMemoryAndTheyReadAndTagAsInTheLeaves() {
        try (Store many = Store.create(dir.resolve("many.cairn"), CFG);
             Store few = Store.create(dir.resolve("few.cairn"), CFG)) {
            try (Txn t = many.begin()) {
                for (int i = 0; i < 2000; i++) {
                    t.put(b("k" + i), value(i)); // 2 MB: without the spill, refused at about 1 MiB
                }
                t.commit();
            }
            for (int from = 0; from < 2000; from += 100) {
                try (Txn t = few.begin()) {
                    for (int i = from; i < from + 100; i++) {
                        t.put(b("k" + i), value(i));
                    }
                    t.commit();
                }
            }
            try (Txn a = many.begin(); Txn z = few.begin()) {
                for (int i = 0; i < 2000; i++) {
                    assertArrayEquals(value(i), a.get(b("k" + i)), "k" + i);
                    assertEquals(ObjectLayout.inlineEtag(value(i), 0, 1000), a.etag(b("k" + i)), "k" + i);
                    assertEquals(z.etag(b("k" + i)), a.etag(b("k" + i)), "k" + i);
                }
                assertEquals(Digest.of(z), Digest.of(a), "the same contents, kept both ways");
            }
            assertEquals(true, many.check().ok(), () -> many.check().toString());
        }
    }

    /**
     * Values of up to 511 bytes stay in memory however many a transaction
     * holds, and count against its limit: 3000 of 400 bytes pass 1 MiB (were
     * they put in blocks, their keys and bookkeeping alone would not).
     */
    @Test
    void aTransactionOfSmallValuesIsStillBoundedByItsLimit() {
        try (Store s = Store.create(dir.resolve("small.cairn"), CFG); Txn t = s.begin()) {
            assertThrows(TransactionTooLargeException.class, () -> {
                for (int i = 0; i < 3000; i++) {
                    t.put(b("k" + i), new byte[400]);
                }
            });
        }
    }

    /**
     * A restore commits a few megabytes at a time, below the point where a
     * transaction puts medium values in data blocks: the restored store
     * keeps 4000-byte values as densely as the one sent (committing 10,000
     * values a time, it took 1.77 times the blocks).
     */
    @Test
    void aRestoreKeepsMediumValuesAsDenselyAsTheStoreSent() throws IOException {
        StoreConfig cfg = CFG.maxTransactionBytes(128L << 20);
        Path target = dir.resolve("restored.cairn");
        try (Store primary = Store.create(dir.resolve("sent.cairn"), cfg)) {
            for (int from = 0; from < 6000; from += 500) {
                try (Txn t = primary.begin()) {
                    for (int i = from; i < from + 500; i++) {
                        byte[] v = new byte[4000];
                        new Random(i).nextBytes(v);
                        t.put(b("k" + i), v);
                    }
                    t.commit();
                }
            }
            primary.createSnapshot("s");
            SnapshotReceiver.intoNewStore(new ByteArrayInputStream(send(primary, "s", null)), target, cfg);
            long sent = primary.stats().usedBytes();
            try (Store restored = Store.open(target, cfg)) {
                long used = restored.stats().usedBytes();
                assertTrue(used < sent * 1.15, "the restored store uses " + used + " bytes, the one sent " + sent);
            }
        }
    }

    /**
     * A backup written before values of up to 4 KiB lived in the leaves
     * (format version 1, whose digests took a value over 511 bytes by its
     * chunks' blocks) restores, whole and checked. {@code version1.stream}
     * was written at 4f07e54: a snapshot of keys k0 to k99, k{i} holding
     * 100 (even i) or 1000 (odd i) bytes of {@code new Random(i)}, sent with
     * {@code SnapshotSender.toFile}.
     */
    @Test
    void aBackupOfFormatVersion1Restores() throws IOException {
        Path target = dir.resolve("restored.cairn");
        try (var in = getClass().getResourceAsStream("version1.stream")) {
            SnapshotReceiver.Received r = SnapshotReceiver.intoNewStore(in, target, CFG);
            assertEquals(100, r.puts());
        }
        try (Store s = Store.open(target, CFG); Txn t = s.begin()) {
            for (int i = 0; i < 100; i++) {
                byte[] v = new byte[i % 2 == 0 ? 100 : 1000];
                new Random(i).nextBytes(v);
                assertArrayEquals(v, t.get(b("k" + i)), "k" + i);
            }
            assertEquals(100, s.stats().keys());
        }
    }

    /**
     * A standby that received its copy in one transaction (medium values in
     * data blocks) takes the primary's next increment (whose base digest the
     * primary computed over the same values in its leaves), and an increment
     * of 2 MB of medium values fits a store whose transactions may hold 1 MiB.
     */
    @Test
    void incrementsPassBetweenStoresThatKeepTheSameValuesDifferently() throws IOException {
        try (Store primary = Store.create(dir.resolve("primary.cairn"), CFG);
             Store standby = Store.create(dir.resolve("standby.cairn"), CFG)) {
            for (int from = 0; from < 2000; from += 100) {
                try (Txn t = primary.begin()) {
                    for (int i = from; i < from + 100; i++) {
                        t.put(b("k" + i), value(i));
                    }
                    t.commit();
                }
            }
            primary.createSnapshot("s1");
            SnapshotReceiver.into(standby, new ByteArrayInputStream(send(primary, "s1", null)));
            try (Txn t = primary.begin()) {
                for (int i = 0; i < 2000; i += 2) {
                    t.put(b("k" + i), value(i + 5000));
                }
                t.delete(b("k1"));
                t.commit();
            }
            primary.createSnapshot("s2");
            SnapshotReceiver.Received got = SnapshotReceiver.into(standby, new ByteArrayInputStream(send(primary, "s2", "s1")));
            assertEquals(1000, got.puts());
            assertEquals(1, got.deletes());
            try (Txn t = standby.begin()) {
                assertArrayEquals(value(5000), t.get(b("k0")));
                assertArrayEquals(value(3), t.get(b("k3")));
                assertEquals(null, t.get(b("k1")));
            }
        }
    }
}
