package dev.cairn.engine.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.engine.Store;
import dev.cairn.engine.StoreConfig;
import dev.cairn.api.StoreLockedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store file is opened by one writer at a time: a second opener, in this
 * JVM or another process, is refused with an error naming the file, and the
 * offline check does not read a store that is open.
 */
class StoreLockTest {

    private static final StoreConfig CFG = StoreConfig.defaults().sizeBytes(4L << 20).arenas(2).cacheBytes(1 << 20);

    @TempDir
    Path dir;

    @Test
    void aSecondOpenInThisProcessIsRefusedUntilTheFirstCloses() {
        Path file = dir.resolve("s.cairn");
        try (Store first = Store.create(file, CFG)) {
            StoreLockedException e = assertThrows(StoreLockedException.class, () -> Store.open(file, CFG));
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("this process"),
                    e.getMessage());
            first.sync();
        }
        try (Store again = Store.open(file, CFG)) {
            assertTrue(again.check().ok());
        }
    }

    /**
     * The other process tries after this one's own refused second open: that
     * refused open closed a channel of its own, and must not have let go of
     * the lock the first open holds.
     */
    @Test
    void anotherProcessIsRefusedWhileThisOneHasTheStoreOpen() throws Exception {
        Path file = dir.resolve("s.cairn");
        try (Store first = Store.create(file, CFG)) {
            assertThrows(StoreLockedException.class, () -> Store.open(file, CFG));
            Child c = runChild(file);
            assertEquals(3, c.exit(), c.output());
            assertTrue(c.output().contains("StoreLockedException") && c.output().contains(file.toString())
                    && c.output().contains("another process"), c.output());
        }
        Child c = runChild(file);
        assertEquals(0, c.exit(), "once closed, another process opens it: " + c.output());
    }

    @Test
    void theOfflineCheckIsRefusedAStoreThatIsOpenAndAWriterIsRefusedWhileTheCheckReads() throws IOException {
        Path file = dir.resolve("s.cairn");
        try (Store s = Store.create(file, CFG)) {
            StoreLockedException e = assertThrows(StoreLockedException.class,
                    () -> StoreFile.openReadOnly(file, ChannelOpener.PLAIN));
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        }
        try (StoreFile reading = StoreFile.openReadOnly(file, ChannelOpener.PLAIN)) {
            assertThrows(StoreLockedException.class, () -> Store.open(file, CFG));
            assertTrue(reading.size() > 0);
        }
        try (Store s = Store.open(file, CFG)) {
            assertTrue(s.check().ok());
        }
    }

    @Test
    void theOfflineCheckToolExitsThreeNamingTheFileWhileAServerHasTheStoreOpen() throws Exception {
        Path file = dir.resolve("s.cairn");
        try (Store s = Store.create(file, CFG)) {
            Child c = runChild(dev.cairn.engine.check.CheckMain.class, file);
            assertEquals(3, c.exit(), c.output());
            assertTrue(c.output().contains(file.toString()) && c.output().contains("another process"), c.output());
        }
        Child c = runChild(dev.cairn.engine.check.CheckMain.class, file);
        assertEquals(0, c.exit(), "a closed store is checked: " + c.output());
    }

    private record Child(int exit, String output) {
    }

    private static Child runChild(Path file) throws Exception {
        return runChild(OpenInAnotherProcess.class, file);
    }

    private static Child runChild(Class<?> main, Path file) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                main.getName(), file.toString()))
                .redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the second JVM did not finish in 60 s");
        }
        return new Child(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** The second process: opens the store, exits 0 when it could, 3 when the store was locked. */
    public static final class OpenInAnotherProcess {
        public static void main(String[] args) {
            try (Store s = Store.open(Path.of(args[0]), CFG)) {
                System.out.println("opened at generation " + s.blockStats().durableGen());
            } catch (StoreLockedException e) {
                System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
                System.exit(3);
            }
        }
    }
}
