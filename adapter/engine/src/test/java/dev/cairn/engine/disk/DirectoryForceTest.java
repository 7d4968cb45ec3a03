package dev.cairn.engine.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.CairnException;
import dev.cairn.engine.Store;
import dev.cairn.engine.StoreConfig;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Creating a store forces its directory, so the new file's name is durable
 * before the creation returns. What this can prove: the directory is forced,
 * once, before the store is handed out, and a failed force fails the
 * creation. What it cannot: that the kernel wrote the entry (only pulling the
 * power between the create and a later crash test would show that).
 */
class DirectoryForceTest {

    private static final StoreConfig CFG = StoreConfig.defaults().sizeBytes(4L << 20).arenas(2).cacheBytes(1 << 20);

    @TempDir
    Path dir;

    /** Opens the real file; records the directories forced, in order with the file's own forces. */
    private static final class Recording implements ChannelOpener {
        final List<String> events = new ArrayList<>();
        boolean failDirectory;

        @Override
        public FileChannel open(Path path, OpenOption... options) throws IOException {
            events.add("open " + path.getFileName());
            return new ForwardingChannel(FileChannel.open(path, options)) {
                @Override
                public void force(boolean metaData) throws IOException {
                    events.add("force file");
                    super.force(metaData);
                }
            };
        }

        @Override
        public void forceDirectory(Path d) throws IOException {
            events.add("force directory " + d);
            if (failDirectory) {
                throw new IOException("injected directory fsync failure");
            }
            ChannelOpener.super.forceDirectory(d);
        }
    }

    @Test
    void creatingAStoreForcesItsDirectoryOnceAndOpeningItDoesNot() {
        Path file = dir.resolve("s.cairn");
        Recording r = new Recording();
        try (Store s = Store.create(file, CFG.channelOpener(r))) {
            assertEquals(List.of("open s.cairn", "force directory " + dir.toAbsolutePath()), r.events.subList(0, 2),
                    "the directory is forced right after the file is made: " + r.events);
            assertEquals(1, r.events.stream().filter(e -> e.startsWith("force directory")).count(), r.events.toString());
        }
        r.events.clear();
        try (Store s = Store.open(file, CFG.channelOpener(r))) {
            assertTrue(r.events.stream().noneMatch(e -> e.startsWith("force directory")), r.events.toString());
        }
    }

    @Test
    void aFailedDirectoryForceFailsTheCreationAndSaysSo() {
        Path file = dir.resolve("s.cairn");
        Recording r = new Recording();
        r.failDirectory = true;
        CairnException e = assertThrows(CairnException.class, () -> Store.create(file, CFG.channelOpener(r)));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("directory")
                && e.getMessage().contains("injected directory fsync failure"), e.getMessage());
    }
}
