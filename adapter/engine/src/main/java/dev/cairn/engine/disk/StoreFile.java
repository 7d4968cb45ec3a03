package dev.cairn.engine.disk;

import dev.cairn.api.CairnException;
import dev.cairn.api.ReadOnlyStoreException;
import dev.cairn.api.StoreClosedException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The store's one file: positional reads and writes and {@code force}.
 *
 * <p>A failed write or force latches the file read-only for good. After a
 * failed {@code fsync} the kernel may have dropped the dirty pages and cleared
 * the error, so a retry that "succeeds" proves nothing: the only safe state is
 * to refuse further writes and let a reopen recover from what is really on
 * disk. Reads keep working.
 *
 * <p>Thread safety: positional I/O on a {@link FileChannel} is safe from many
 * threads; the latch is a volatile field written once.
 */
public final class StoreFile implements AutoCloseable {

    private final Path path;
    private final FileChannel channel;
    /** Why the file refuses writes; null while it is writable. */
    private volatile String readOnlyReason;

    private StoreFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /** Creates a new file; fails when one exists already. */
    public static StoreFile create(Path path, ChannelOpener opener) throws IOException {
        return new StoreFile(path, opener.open(path, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    /** Opens an existing file for reading and writing. */
    public static StoreFile open(Path path, ChannelOpener opener) throws IOException {
        return new StoreFile(path, opener.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    /** Opens an existing file for reading only (offline check); every write is refused. */
    public static StoreFile openReadOnly(Path path, ChannelOpener opener) throws IOException {
        StoreFile f = new StoreFile(path, opener.open(path, StandardOpenOption.READ));
        f.readOnlyReason = "store " + path + " is open for reading only";
        return f;
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
        try {
            channel.close();
        } catch (IOException e) {
            throw new CairnException("closing " + path + " failed: " + e.getMessage(), e);
        }
    }
}
