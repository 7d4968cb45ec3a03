package dev.cairn.engine.object;

import dev.cairn.api.CairnException;
import dev.cairn.engine.access.BlockAccess;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.cache.CachedBlock;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a large value into reserved data blocks before its transaction
 * commits (see {@link StreamedValue}): the copying, hashing and the disk
 * writes happen while the transaction runs, and the commit only claims the
 * blocks. Every chunk of a value shares one arena hint, so a syncer writes
 * the value in long runs.
 */
public final class StreamedValues {

    private StreamedValues() {
    }

    /** The value {@code v}, copied into blocks; no copy of it is kept in memory. */
    public static StreamedValue of(BlockAccess store, byte[] v) {
        List<Bptr> chunks = new ArrayList<>();
        int hint = store.valueHint();
        try {
            for (int off = 0; off < v.length; off += ObjectLayout.CHUNK) {
                chunks.add(writeChunk(store, hint, v, off, Math.min(ObjectLayout.CHUNK, v.length - off)));
            }
            return new StreamedValue(List.copyOf(chunks), v.length);
        } catch (RuntimeException e) {
            chunks.forEach(store::unreserve);
            throw e;
        }
    }

    /** {@code head}, then everything {@code in} yields, one chunk in memory at a time. */
    public static StreamedValue of(BlockAccess store, byte[] head, InputStream in) {
        List<Bptr> chunks = new ArrayList<>();
        int hint = store.valueHint();
        long length = 0;
        byte[] buf = new byte[ObjectLayout.CHUNK];
        System.arraycopy(head, 0, buf, 0, head.length);
        int filled = head.length;
        try {
            while (true) {
                filled += in.readNBytes(buf, filled, buf.length - filled);
                if (filled == 0) {
                    break;
                }
                chunks.add(writeChunk(store, hint, buf, 0, filled));
                length += filled;
                if (filled < buf.length) {
                    break;
                }
                filled = 0;
            }
            return new StreamedValue(List.copyOf(chunks), length);
        } catch (IOException | RuntimeException e) {
            chunks.forEach(store::unreserve);
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new CairnException("reading the value to store failed after " + length + " bytes: " + e.getMessage(), e);
        }
    }

    private static Bptr writeChunk(BlockAccess store, int hint, byte[] src, int off, int len) {
        CachedBlock b = store.newReservedBlock(hint);
        try (b) {
            ObjectLayout.fillChunk(b.data(), src, off, len);
            return store.write(b);
        } catch (RuntimeException e) {
            store.unreserve(b.addr());
            throw e;
        }
    }
}
