package dev.cairn.engine.object;

import dev.cairn.engine.access.BlockAccess;
import dev.cairn.engine.block.Bptr;
import java.io.InputStream;
import java.util.List;
import java.util.function.LongFunction;

/** Reads a large value one 16 KiB chunk at a time: memory stays at one chunk however large the value. */
final class ChunkStream extends InputStream {

    private final BlockAccess store;
    private final long length;
    private final LongFunction<Bptr> chunkAt;
    private final byte[] chunk = new byte[ObjectLayout.CHUNK];
    private long pos;
    private long chunkIndex = -1;

    ChunkStream(BlockAccess store, long length, LongFunction<Bptr> chunkAt) {
        this.store = store;
        this.length = length;
        this.chunkAt = chunkAt;
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0; // reads nothing, as InputStream says: not even the next chunk, which may be bad
        }
        if (pos >= length) {
            return -1;
        }
        long index = pos / ObjectLayout.CHUNK;
        if (index != chunkIndex) {
            // Straight into this stream's buffer, verified, not cached: a
            // stream's blocks are read once, and would push out the tree's.
            store.readInto(List.of(chunkAt.apply(index)), chunk, 0);
            chunkIndex = index;
        }
        int at = (int) (pos % ObjectLayout.CHUNK);
        int n = (int) Math.min(Math.min(len, ObjectLayout.CHUNK - at), length - pos);
        System.arraycopy(chunk, at, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public long skip(long n) {
        long k = Math.max(0, Math.min(n, length - pos));
        pos += k;
        return k;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, length - pos);
    }
}
