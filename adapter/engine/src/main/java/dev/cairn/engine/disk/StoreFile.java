package dev.cairn.engine.disk;

import dev.cairn.api.CairnException;
import dev.cairn.api.ReadOnlyStoreException;
import dev.cairn.api.StoreClosedException;
import dev.cairn.api.StoreLockedException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The store's one file: positional reads and writes and {@code force}.
 *
 * <p>A failed write or force latches the file read-only for good. After a
 * failed {@code fsync} the kernel may have dropped the dirty pages and cleared
 * the error, so a retry that "succeeds" proves nothing: the only safe state is
 * to refuse further writes and let a reopen recover from what is really on
 * disk. Reads keep working.
 *
 * <p>One writer: opening for writing takes an exclusive lock on the whole
 * file, opening for reading (the offline check) a shared one, each held until
 * {@link #close}. Two writers would each allocate the other's free blocks,
 * and a check reading a store that a writer is changing would report the
 * writer's half-made sync as damage, so the check refuses a store in use.
 * The lock is advisory (fcntl on Linux): it stops every Cairn opener, not a
 * program that writes the file without asking.
 *
 * <p>Thread safety: positional I/O on a {@link FileChannel} is safe from many
 * threads; the latch is a volatile field written once.
 */
public final class StoreFile implements AutoCloseable {

    private final Path path;
    /** This file in {@link OpenInThisJvm}, released on close. */
    private final Path key;
    private final FileChannel channel;
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Why the file refuses writes; null while it is writable. */
    private volatile String readOnlyReason;

    private StoreFile(Path path, Path key, FileChannel channel) {
        this.path = path;
        this.key = key;
        this.channel = channel;
    }

    /**
     * Creates a new file, locked; fails when one exists already. The
     * directory is forced too: until it is, a crash can lose the new name,
     * and with it a store whose creation returned.
     */
    public static StoreFile create(Path path, ChannelOpener opener) throws IOException {
        StoreFile f = locked(path, false, () -> opener.open(path, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE));
        try {
            opener.forceDirectory(path.toAbsolutePath().getParent());
        } catch (IOException e) {
            f.close();
            throw new IOException("created " + path + " but could not force its directory (fsync): "
                    + e.getMessage(), e);
        }
        return f;
    }

    /** Opens an existing file for reading and writing, locked against every other opener. */
    public static StoreFile open(Path path, ChannelOpener opener) throws IOException {
        return locked(path, false, () -> opener.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    /**
     * Opens an existing file for reading only (offline check), with a shared
     * lock: checks in other processes may read with it, no writer may open
     * it. Every write is refused.
     */
    public static StoreFile openReadOnly(Path path, ChannelOpener opener) throws IOException {
        StoreFile f = locked(path, true, () -> opener.open(path, StandardOpenOption.READ));
        f.readOnlyReason = "store " + path + " is open for reading only";
        return f;
    }

    private interface Opening {
        FileChannel open() throws IOException;
    }

    /**
     * Opens the channel and takes its lock, or refuses and says who holds
     * it. Java does not tell which process holds a lock, only whether this
     * JVM does.
     */
    private static StoreFile locked(Path path, boolean shared, Opening opening) throws IOException {
        Path key = OpenInThisJvm.keyOf(path);
        if (!OpenInThisJvm.claim(key)) {
            throw locked(path, shared, "this process has it open already (another store, server resource"
                    + " or check of this JVM)");
        }
        FileChannel channel = null;
        try {
            channel = opening.open();
            FileLock lock;
            try {
                lock = channel.tryLock(0, Long.MAX_VALUE, shared);
            } catch (OverlappingFileLockException e) {
                // The same file under a name OpenInThisJvm does not know (a hard link).
                throw locked(path, shared, "this process has it open already, under another name");
            }
            if (lock == null) {
                throw locked(path, shared, "another process has it open (a second server, or an offline"
                        + " check, pointed at the same file)");
            }
            return new StoreFile(path, key, channel);
        } catch (IOException | RuntimeException | Error e) {
            try {
                if (channel != null) {
                    channel.close();
                }
            } finally {
                OpenInThisJvm.release(key);
            }
            throw e;
        }
    }

    private static StoreLockedException locked(Path path, boolean shared, String holder) {
        return new StoreLockedException("store " + path + " is locked: " + holder + "; "
                + (shared ? "check a store offline once it is closed" : "close it there before opening it here"));
    }

    public Path path() {
        return path;
    }

    /** Writes all of {@code src} at {@code position}. */
    public void write(ByteBuffer src, long position) {
        checkWritable();
        try {
            long pos = position;
            while (src.hasRemaining()) {
                pos += channel.write(src, pos);
            }
        } catch (ClosedChannelException e) {
            throw new StoreClosedException("store " + path + " is closed");
        } catch (IOException e) {
            throw fail("write of " + src.limit() + " bytes at offset " + position, e);
        }
    }

    /** Makes everything written so far durable ({@code fsync}). */
    public void force() {
        checkWritable();
        try {
            channel.force(false);
        } catch (ClosedChannelException e) {
            throw new StoreClosedException("store " + path + " is closed");
        } catch (IOException e) {
            throw fail("force (fsync)", e);
        }
    }

    /** Fills {@code dst} from {@code position}; a short file is an error. */
    public void read(ByteBuffer dst, long position) {
        try {
            long pos = position;
            while (dst.hasRemaining()) {
                int n = channel.read(dst, pos);
                if (n < 0) {
                    throw new EOFException("end of file at offset " + pos);
                }
                pos += n;
            }
        } catch (ClosedChannelException e) {
            throw new StoreClosedException("store " + path + " is closed");
        } catch (IOException e) {
            throw new CairnException("read of " + dst.capacity() + " bytes at offset " + position
                    + " from " + path + " failed: " + e.getMessage(), e);
        }
    }

    public long size() {
        try {
            return channel.size();
        } catch (IOException e) {
            throw new CairnException("cannot read the size of " + path + ": " + e.getMessage(), e);
        }
    }

    /** Cuts the file at {@code size} (a torn tail at recovery) and forces. */
    public void truncate(long size) {
        checkWritable();
        try {
            channel.truncate(size);
            channel.force(true);
        } catch (IOException e) {
            throw fail("truncate to " + size + " bytes", e);
        }
    }

    /** Throws {@link ReadOnlyStoreException} when an earlier write or force failed. */
    public void checkWritable() {
        String reason = readOnlyReason;
        if (reason != null) {
            throw new ReadOnlyStoreException(reason);
        }
    }

    public boolean isReadOnly() {
        return readOnlyReason != null;
    }

    /** Why the store refuses writes, or null. */
    public String readOnlyReason() {
        return readOnlyReason;
    }

    /**
     * Latches the file read-only for a failure that is not the file's own (a
     * sync that stopped midway, say): what is on disk past the last completed
     * sync is unknown, so nothing more may be written.
     */
    public ReadOnlyStoreException markReadOnly(String what, Throwable cause) {
        String reason = "store " + path + " is read-only: " + what + " (" + cause
                + "); writes after the last completed commit may be lost, reopen the store to recover it";
        if (readOnlyReason == null) {
            readOnlyReason = reason;
        }
        return new ReadOnlyStoreException(readOnlyReason, cause);
    }

    private ReadOnlyStoreException fail(String what, IOException e) {
        String reason = "store " + path + " is read-only: " + what + " failed (" + e.getMessage()
                + "); writes after the last completed commit may be lost, reopen the store to recover it";
        if (readOnlyReason == null) {
            readOnlyReason = reason;
        }
        return new ReadOnlyStoreException(reason, e);
    }

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return; // a second close must not release the name for a later opener of this file
        }
        try {
            channel.close(); // releases the file lock
        } catch (IOException e) {
            throw new CairnException("closing " + path + " failed: " + e.getMessage(), e);
        } finally {
            OpenInThisJvm.release(key);
        }
    }
}
