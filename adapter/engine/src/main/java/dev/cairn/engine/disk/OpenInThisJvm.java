package dev.cairn.engine.disk;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The store files this JVM has open, by real path. A second opener in this
 * JVM is refused here, before it opens a channel of its own: on Linux the
 * file lock is a POSIX record lock, and closing any descriptor of the file
 * drops every such lock the process holds on it, so a refused second channel,
 * closed, would leave the first opener unlocked.
 */
final class OpenInThisJvm {

    private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();

    private OpenInThisJvm() {
    }

    /** The key of {@code path}, which need not exist yet: its directory's real path and its name. */
    static Path keyOf(Path path) throws IOException {
        Path abs = path.toAbsolutePath();
        return abs.getParent().toRealPath().resolve(abs.getFileName());
    }

    /** Records {@code key} as open; false when it is already. */
    static boolean claim(Path key) {
        return OPEN.add(key);
    }

    static void release(Path key) {
        OPEN.remove(key);
    }
}
