package dev.cairn.ra;

import dev.cairn.engine.disk.ForwardingChannel;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The store's real channel, except that {@code force} fails while a marker
 * file exists: the {@link FailPoint#FSYNC_SWITCH} fail point, with which the
 * integration tests make a running server's disk fail an fsync on cue. Only
 * installed when that fail point is armed.
 */
final class FsyncSwitchChannel extends ForwardingChannel {

    private final Path marker;

    FsyncSwitchChannel(FileChannel real, Path marker) {
        super(real);
        this.marker = marker;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        if (Files.exists(marker)) {
            throw new IOException("fail point " + FailPoint.FSYNC_SWITCH + ": fsync fails while " + marker + " exists");
        }
        super.force(metaData);
    }
}
