package dev.cairn.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.engine.disk.FaultyChannel;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryTest {

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private static void commit(Store s, String key, String value) {
        try (Txn t = s.begin()) {
            t.put(b(key), b(value));
            t.commit();
        }
    }

    private static byte[] read(Path file, String key) {
        try (Store s = Store.open(file, StoreConfig.defaults()); Txn t = s.begin()) {
            return t.get(b(key));
        }
    }

    @Test
    void everyTornTailIsCutAndEverythingBeforeItKept() throws IOException {
        Path file = dir.resolve("s.cairn");
        long before;
        try (Store s = Store.create(file, StoreConfig.defaults())) {
            commit(s, "first", "one");
            before = Files.size(file);
            commit(s, "second", "two");
        }
        long after = Files.size(file);
        byte[] whole = Files.readAllBytes(file);
        // A crash may leave any prefix of the last commit on disk.
        for (long cut = before; cut < after; cut++) {
            Path torn = dir.resolve("torn-" + cut);
            Files.write(torn, java.util.Arrays.copyOf(whole, (int) cut));
            assertArrayEquals(b("one"), read(torn, "first"), "cut at " + cut);
            assertNull(read(torn, "second"), "cut at " + cut);
            assertEquals(before, Files.size(torn), "the torn tail is truncated at open, cut at " + cut);
        }
        assertArrayEquals(b("two"), read(file, "second"));
    }

    @Test
    void aCorruptCommitFollowedByOthersRefusesToOpen() throws IOException {
        Path file = dir.resolve("s.cairn");
        long firstRecord;
        try (Store s = Store.create(file, StoreConfig.defaults())) {
            firstRecord = Files.size(file);
            commit(s, "a", "x".repeat(100));
            commit(s, "b", "y");
        }
        flip(file, firstRecord + 40);
        CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> Store.open(file, StoreConfig.defaults()));
        assertTrue(e.getMessage().contains("offset " + firstRecord) && e.getMessage().contains("corrupt"), e.getMessage());
    }

    @Test
    void aFlippedBitInAValueIsReportedNotReturned() throws IOException {
        Path file = dir.resolve("s.cairn");
        try (Store s = Store.create(file, StoreConfig.defaults())) {
            commit(s, "a", "x".repeat(100));
            commit(s, "b", "y");
            flip(file, 16 + 16 + 4 + 15 + 1 + 50); // inside a's value
            try (Txn t = s.begin()) {
                CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> t.get(b("a")));
                assertTrue(e.getMessage().contains("corrupt") && e.getMessage().contains("offset 36"), e.getMessage());
                assertArrayEquals(b("y"), t.get(b("b")));
            }
        }
    }

    @Test
    void aFailedForceMakesTheStoreReadOnlyAndKeepsWhatWasCommitted() {
        Path file = dir.resolve("s.cairn");
        AtomicReference<FaultyChannel> channel = new AtomicReference<>();
        StoreConfig faulty = StoreConfig.defaults().channelOpener((p, o) -> {
            channel.set(new FaultyChannel(FileChannel.open(p, o)));
            return channel.get();
        });
        try (Store s = Store.create(file, faulty)) {
            commit(s, "kept", "yes");
            channel.get().forcesUntilFailure.set(0);
            ReadOnlyStoreException e = assertThrows(ReadOnlyStoreException.class, () -> commit(s, "lost", "maybe"));
            assertTrue(e.getMessage().contains("read-only") && e.getMessage().contains("force"), e.getMessage());
            assertTrue(s.isReadOnly());
            int forcesSoFar = channel.get().forces.get();
            // Never retried as if it had worked: the next commit is refused before any I/O.
            assertThrows(ReadOnlyStoreException.class, () -> commit(s, "later", "no"));
            assertEquals(forcesSoFar, channel.get().forces.get());
            try (Txn t = s.begin()) {
                assertArrayEquals(b("yes"), t.get(b("kept")), "reads still work on a read-only store");
            }
        }
        assertArrayEquals(b("yes"), read(file, "kept"));
        assertNull(read(file, "later"));
    }

    @Test
    void aFailedWriteMakesTheStoreReadOnly() {
        Path file = dir.resolve("s.cairn");
        AtomicReference<FaultyChannel> channel = new AtomicReference<>();
        StoreConfig faulty = StoreConfig.defaults().channelOpener((p, o) -> {
            channel.set(new FaultyChannel(FileChannel.open(p, o)));
            return channel.get();
        });
        try (Store s = Store.create(file, faulty)) {
            commit(s, "kept", "yes");
            channel.get().writesUntilFailure.set(0);
            assertTrue(assertThrows(ReadOnlyStoreException.class, () -> commit(s, "lost", "no"))
                    .getMessage().contains("write"));
        }
        assertArrayEquals(b("yes"), read(file, "kept"));
        assertNull(read(file, "lost"));
    }

    private static void flip(Path file, long offset) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int v = raf.read();
            raf.seek(offset);
            raf.write(v ^ 0x10);
        }
    }
}
