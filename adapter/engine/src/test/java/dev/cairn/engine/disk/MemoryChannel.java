package dev.cairn.engine.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;

/**
 * A file held in memory, for mounting the thousands of crash images a crash
 * test builds (each from writes recorded against a real file). Positional
 * I/O only, as the engine uses.
 */
public final class MemoryChannel extends FileChannel {

    private byte[] data;
    private long size;

    public MemoryChannel(byte[] image) {
        this.data = image;
        this.size = image.length;
    }

    public byte[] image() {
        return Arrays.copyOf(data, (int) size);
    }

    @Override
    public synchronized int read(ByteBuffer dst, long position) {
        if (position >= size) {
            return -1;
        }
        int n = (int) Math.min(dst.remaining(), size - position);
        dst.put(data, (int) position, n);
        return n;
    }

    @Override
    public synchronized int write(ByteBuffer src, long position) {
        int n = src.remaining();
        long end = position + n;
        if (end > data.length) {
            data = Arrays.copyOf(data, (int) Math.max(end, data.length * 2L));
        }
        src.get(data, (int) position, n);
        size = Math.max(size, end);
        return n;
    }

    @Override
    public void force(boolean metaData) {
    }

    @Override
    public synchronized long size() {
        return size;
    }

    @Override
    public synchronized FileChannel truncate(long newSize) {
        size = Math.min(size, newSize);
        return this;
    }

    @Override
    public int read(ByteBuffer dst) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int write(ByteBuffer src) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long position() {
        return 0;
    }

    @Override
    public FileChannel position(long newPosition) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) {
        throw new UnsupportedOperationException();
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) {
        throw new UnsupportedOperationException();
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) {
        throw new UnsupportedOperationException();
    }

    /** An image in memory has no other opener: the lock is always granted. */
    @Override
    public FileLock tryLock(long position, long size, boolean shared) {
        return new FileLock(this, position, size, shared) {
            private boolean valid = true;

            @Override
            public boolean isValid() {
                return valid && isOpen();
            }

            @Override
            public void release() {
                valid = false;
            }
        };
    }

    @Override
    protected void implCloseChannel() throws IOException {
    }
}
