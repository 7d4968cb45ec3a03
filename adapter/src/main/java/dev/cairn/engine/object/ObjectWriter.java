package dev.cairn.engine.object;

import dev.cairn.engine.BlockStore;
import dev.cairn.engine.CorruptBlockException;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.cache.CachedBlock;
import dev.cairn.engine.tree.Msg;
import dev.cairn.engine.tree.Tree;
import dev.cairn.engine.tree.TreeWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Applies one transaction's writes to the object tree: inline values as tree
 * entries, large ones as data blocks plus a chunk entry each, the chunks of
 * values it replaces or deletes removed, and the key count kept. Runs under
 * the store's commit lock and within one generation (the caller's job).
 */
public final class ObjectWriter {

    /** The new root, and what to do once the caller adopts it or gives it up. */
    public record Applied(Bptr root, long keyDelta, Runnable adopt, Runnable abandon) {
    }

    private ObjectWriter() {
    }

    /**
     * @param writes internal key (a user key or a prepared record's key, see
     *               {@link ObjectLayout}) to new value, or to null for a delete;
     *               only user keys count in the key count
     */
    public static Applied apply(BlockStore store, Bptr current, SortedMap<byte[], byte[]> writes) {
        TreeWriter w = new TreeWriter(store, current);
        List<Bptr> written = new ArrayList<>();
        List<Bptr> replaced = new ArrayList<>();
        try {
            long delta = 0;
            for (Map.Entry<byte[], byte[]> e : writes.entrySet()) {
                byte[] uk = e.getKey();
                boolean counted = ObjectLayout.isUserKey(uk);
                byte[] old = Tree.get(store, current, uk);
                if (old != null && ObjectLayout.isLarge(old)) {
                    long id = ObjectLayout.largeId(old);
                    for (long i = 0; i < ObjectLayout.chunks(ObjectLayout.largeLength(old)); i++) {
                        byte[] ck = ObjectLayout.chunkKey(id, i);
                        byte[] cv = Tree.get(store, current, ck);
                        if (cv == null) {
                            throw new CorruptBlockException(String.format("object 0x%x is corrupt: chunk %d is missing", id, i));
                        }
                        replaced.add(ObjectLayout.chunkPtr(cv));
                        w.apply(Msg.delete(ck));
                    }
                }
                byte[] v = e.getValue();
                if (v == null) {
                    if (old != null) {
                        w.apply(Msg.delete(uk));
                        delta -= counted ? 1 : 0;
                    }
                    continue;
                }
                if (old == null && counted) {
                    delta++;
                }
                if (v.length <= ObjectLayout.MAX_INLINE) {
                    w.apply(Msg.put(uk, ObjectLayout.inline(v)));
                } else {
                    w.apply(Msg.put(uk, ObjectLayout.large(v.length, writeChunks(store, w, v, written))));
                }
            }
            if (delta != 0) {
                long n = ObjectLayout.count(Tree.get(store, current, ObjectLayout.KEY_COUNT)) + delta;
                w.apply(Msg.put(ObjectLayout.KEY_COUNT, ObjectLayout.count(n)));
            }
            Bptr root = w.finish();
            return new Applied(root, delta, () -> {
                w.commit();
                replaced.forEach(store::free);
            }, () -> {
                w.abort();
                written.forEach(store::free);
            });
        } catch (RuntimeException e) {
            w.abort();
            written.forEach(store::free);
            throw e;
        }
    }

    /** Writes a large value's chunks; returns its object id (its first block's address). */
    private static long writeChunks(BlockStore store, TreeWriter w, byte[] v, List<Bptr> written) {
        long id = -1;
        for (long i = 0; i < ObjectLayout.chunks(v.length); i++) {
            int off = (int) (i * ObjectLayout.CHUNK);
            int len = Math.min(ObjectLayout.CHUNK, v.length - off);
            Bptr bp;
            try (CachedBlock b = store.newBlock(BlockFormat.TYPE_DATA, (int) i)) {
                System.arraycopy(v, off, b.data(), 0, len);
                bp = store.write(b);
            }
            written.add(bp);
            if (id == -1) {
                id = bp.addr();
            }
            w.apply(Msg.put(ObjectLayout.chunkKey(id, i), ObjectLayout.chunkValue(bp, len)));
        }
        return id;
    }
}
