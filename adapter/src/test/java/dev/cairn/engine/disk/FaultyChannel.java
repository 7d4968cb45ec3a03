package dev.cairn.engine.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real {@link FileChannel} with faults on cue: the n-th write or force from
 * now throws, as a dying disk or a full file system would. Everything else
 * passes through to the real file.
 */
public class FaultyChannel extends FileChannel {

    private final FileChannel real;
    /** Writes left before one fails; negative: never. */
    public final AtomicInteger writesUntilFailure = new AtomicInteger(-1);
    /** Forces left before one fails; negative: never. */
    public final AtomicInteger forcesUntilFailure = new AtomicInteger(-1);
    public final AtomicInteger forces = new AtomicInteger();
    /** Writes left before one fails with an unchecked exception (not an IOException); negative: never. */
    public final AtomicInteger writesUntilUncheckedFailure = new AtomicInteger(-1);
    /** Run (once) inside the next force, before it reaches the disk. */
    public final java.util.concurrent.atomic.AtomicReference<Runnable> onNextForce =
            new java.util.concurrent.atomic.AtomicReference<>();

    public FaultyChannel(FileChannel real) {
        this.real = real;
    }

    private static boolean due(AtomicInteger countdown) {
        return countdown.get() >= 0 && countdown.getAndDecrement() == 0;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        if (due(writesUntilFailure)) {
            throw new IOException("injected write failure");
        }
        if (due(writesUntilUncheckedFailure)) {
            throw new IllegalStateException("injected unchecked write failure");
        }
        return real.write(src, position);
    }

    @Override
    public void force(boolean metaData) throws IOException {
        Runnable hook = onNextForce.getAndSet(null);
        if (hook != null) {
            hook.run();
        }
        if (due(forcesUntilFailure)) {
            throw new IOException("injected fsync failure");
        }
        forces.incrementAndGet();
        real.force(metaData);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return real.read(dst, position);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return real.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        throw new UnsupportedOperationException("Cairn writes only at explicit positions");
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
        throw new UnsupportedOperationException("Cairn writes only at explicit positions");
    }

    @Override
    public long position() throws IOException {
        return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        real.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return real.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        real.truncate(size);
        return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return real.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) {
        throw new UnsupportedOperationException();
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return real.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return real.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        real.close();
    }
}
