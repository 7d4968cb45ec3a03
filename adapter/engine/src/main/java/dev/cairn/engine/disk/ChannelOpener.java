package dev.cairn.engine.disk;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opens the store's file. Production uses {@link #PLAIN}; tests supply a
 * wrapper over the real channel that records writes and forces and fails on
 * cue, so fault handling is exercised against real files.
 */
@FunctionalInterface
public interface ChannelOpener {

    ChannelOpener PLAIN = FileChannel::open;

    FileChannel open(Path path, OpenOption... options) throws IOException;

    /**
     * Makes {@code dir}'s entries durable (fsync of the directory), so a file
     * created in it survives a crash. A seam of its own, not {@link #open}:
     * openers that wrap the store's channel keep wrapping only the store's.
     */
    default void forceDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
