package dev.cairn.engine.backup;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.InvalidStreamException;
import dev.cairn.api.StoreLockedException;
import dev.cairn.engine.Store;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.Txn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line on real store files: backup, restore, an incremental, and what it refuses. */
class BackupMainTest {

    private static final StoreConfig CFG = StoreConfig.defaults().sizeBytes(64L << 20).cacheBytes(4L << 20);

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private static void put(Path store, String key, String value) {
        try (Store s = Store.open(store, CFG); Txn t = s.begin()) {
            t.put(b(key), b(value));
            t.commit();
        }
    }

    private static String get(Path store, String key) {
        try (Store s = Store.open(store, CFG); Txn t = s.begin()) {
            byte[] v = t.get(b(key));
            return v == null ? null : new String(v, UTF_8);
        }
    }

    private int run(String... args) throws IOException {
        return BackupMain.run(args);
    }

    @Test
    void aStoreIsBackedUpRestoredAndKeptUpToDate() throws IOException {
        Path src = dir.resolve("src.cairn");
        Store.create(src, CFG).close();
        put(src, "a", "1");
        put(src, "b", "2");
        Path full = dir.resolve("monday.stream");
        assertEquals(0, run("send", src.toString(), "monday", "--take", full.toString()));
        put(src, "a", "3");
        try (Store s = Store.open(src, CFG); Txn t = s.begin()) {
            t.delete(b("b"));
            t.commit();
        }
        Path incr = dir.resolve("tuesday.stream");
        assertEquals(0, run("send", src.toString(), "tuesday", "--take", "--from", "monday", incr.toString()));
        assertTrue(Files.size(incr) < Files.size(full) + 100, "an incremental stream carries only the change");

        Path restored = dir.resolve("restored.cairn");
        assertEquals(0, run("receive", full.toString(), restored.toString(), "--size", String.valueOf(64L << 20)));
        assertEquals("1", get(restored, "a"));
        assertEquals("2", get(restored, "b"));
        assertEquals(0, run("receive", incr.toString(), restored.toString()));
        assertEquals("3", get(restored, "a"));
        assertNull(get(restored, "b"));
        assertEquals(64L << 20, Files.size(restored), "created with the size asked for");

        // The same incremental again: the restored store no longer holds its base.
        assertThrows(InvalidStreamException.class, () -> run("receive", incr.toString(), restored.toString()));
        assertEquals("3", get(restored, "a"));
    }

    @Test
    void itRefusesBadUsageAnExistingOutputAndAStoreAServerHolds() throws IOException {
        Path src = dir.resolve("src.cairn");
        Store.create(src, CFG).close();
        assertThrows(BackupMain.Usage.class, () -> run("send", src.toString()));
        assertThrows(BackupMain.Usage.class, () -> run("receive", "x", "y", "--size", "lots"));
        assertThrows(BackupMain.Usage.class, () -> run("send", src.toString(), "s", "--from"));
        Path out = dir.resolve("exists.stream");
        Files.write(out, b("keep me"));
        assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> run("send", src.toString(), "s", "--take", out.toString()));
        assertArrayEquals(b("keep me"), Files.readAllBytes(out), "an existing file is never overwritten");
        try (Store held = Store.open(src, CFG)) {
            assertThrows(StoreLockedException.class, () -> run("send", src.toString(), "s", dir.resolve("n").toString()));
        }
        assertFalse(Files.exists(dir.resolve("n")));
    }
}
