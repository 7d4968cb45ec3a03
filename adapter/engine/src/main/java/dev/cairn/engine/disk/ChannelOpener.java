package dev.cairn.engine.disk;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * Opens the store's file. Production uses {@link #PLAIN}; tests supply a
 * wrapper over the real channel that records writes and forces and fails on
 * cue, so fault handling is exercised against real files.
 */
@FunctionalInterface
public interface ChannelOpener {

    ChannelOpener PLAIN = FileChannel::open;

    FileChannel open(Path path, OpenOption... options) throws IOException;
}
