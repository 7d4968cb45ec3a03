package dev.cairn.engine.object;

import dev.cairn.api.CorruptBlockException;
import dev.cairn.engine.access.BlockAccess;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.cache.CachedBlock;
import dev.cairn.engine.tree.Msg;
import dev.cairn.engine.tree.RootMemo;
import dev.cairn.engine.tree.Tree;
import dev.cairn.engine.tree.TreeWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Applies one commit's writes to the object tree: inline values as tree
 * entries, large ones as data blocks plus a chunk entry each, the chunks of
 * values it replaces or deletes removed (and their blocks freed), and the key
 * count kept. Runs under the store's commit lock and within one block
 * generation (the caller's job), so every block it allocates or claims is
 * linked into the root the next sync records.
 */
public final class ObjectWriter {

    /** As a value: remove the entry but keep its large value's chunks (they moved to another key). */
    public static final Object FORGET = new Object();

    /** The new root, and what to do once the caller adopts it or gives it up. */
    public record Applied(Bptr root, long keyDelta, Runnable adopt, Runnable abandon) {
    }

    /** Keys whose old values one lookup finds together (see {@link #apply}). */
    private static final int LOOKUP_PART = 4096;

    /**
     * Parts of at least this many keys have their old values looked up on
     * another thread ({@link OldValueLookup}). Below it, handing the lookup
     * over costs more than it saves: 256 keys take about 0.15 ms to look up,
     * a thread's wake-up some tens of microseconds.
     */
    private static final int LOOKUP_ELSEWHERE = 256;

    private ObjectWriter() {
    }

    /**
     * Applies {@code writes}, starting from and leaving the decoded root in
     * {@code memo} (see {@link RootMemo}); once adopted, every block the new
     * tree no longer reaches (replaced nodes, the chunks of replaced values)
     * goes to {@code kill}.
     *
     * @param writes each key once, from internal key (see {@link ObjectLayout})
     *               to: a {@code byte[]} value; a {@link StreamedValue} (its
     *               reserved blocks are claimed); a {@link PreparedLarge} (its
     *               chunks are in the tree already); one of those with a
     *               media type ({@link Typed}); {@link #FORGET}; or null
     *               for a delete. Only user keys count in the key count.
     */
    public static Applied apply(BlockAccess store, Bptr current, Iterable<Map.Entry<byte[], Object>> writes,
                                Consumer<Bptr> kill, RootMemo memo) {
        TreeWriter w = new TreeWriter(store, current, memo);
        List<Bptr> written = new ArrayList<>();
        List<Bptr> replaced = new ArrayList<>();
        try {
            long delta = 0;
            Iterator<Map.Entry<byte[], Object>> in = writes.iterator();
            List<Map.Entry<byte[], Object>> part = new ArrayList<>();
            while (in.hasNext()) {
                // Each key's old value decides the key count and which chunks
                // go. Looked up a part at a time, together (Tree.getAll), so
                // a large batch holds a bounded number of old values; for a
                // large part, on another thread while this one applies the
                // new values and flushes them down, which needs no old value.
                part.clear();
                while (in.hasNext() && part.size() < LOOKUP_PART) {
                    part.add(in.next());
                }
                byte[][] keys = new byte[part.size()][];
                for (int i = 0; i < keys.length; i++) {
                    keys[i] = part.get(i).getKey();
                }
                OldValueLookup lookup = keys.length >= LOOKUP_ELSEWHERE
                        ? OldValueLookup.offered(store, current, keys) : OldValueLookup.here(store, current, keys);
                try {
                    for (int i = 0; i < keys.length; i++) {
                        writeNew(store, w, keys[i], part.get(i).getValue(), written);
                    }
                    if (lookup.offeredElsewhere()) {
                        w.flushInMemory();
                    }
                } catch (RuntimeException | Error e) {
                    lookup.abandon();
                    throw e;
                }
                byte[][] olds = lookup.values();
                for (int i = 0; i < keys.length; i++) {
                    delta += replaceOld(store, current, w, keys[i], part.get(i).getValue(), olds[i], replaced);
                }
            }
            if (delta != 0) {
                long n = ObjectLayout.count(Tree.get(store, current, ObjectLayout.KEY_COUNT)) + delta;
                w.apply(Msg.put(ObjectLayout.KEY_COUNT, ObjectLayout.count(n)));
            }
            Bptr root = w.finish();
            return new Applied(root, delta, () -> {
                w.commit(kill);
                replaced.forEach(kill);
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

    /** Applies one key's new value, if it has one (not a delete); its old value is {@link #replaceOld}'s. */
    private static void writeNew(BlockAccess store, TreeWriter w, byte[] key, Object write, List<Bptr> written) {
        String type = Typed.contentType(write);
        Object v = Typed.value(write);
        if (v instanceof byte[] bytes) {
            if (bytes.length <= ObjectLayout.maxInline(type)) {
                w.apply(Msg.put(key, ObjectLayout.inline(bytes, type)));
            } else {
                w.apply(Msg.put(key, ObjectLayout.large(bytes.length, writeChunks(store, w, bytes, written), type)));
            }
        } else if (v instanceof StreamedValue s) {
            w.apply(Msg.put(key, ObjectLayout.large(s.length(), claimChunks(store, w, s, written), type)));
        } else if (v instanceof PreparedLarge p) {
            w.apply(Msg.put(key, ObjectLayout.large(p.length(), p.objectId(), type)));
        }
    }

    /**
     * Settles what one key's write does to its {@code old} value: drops a
     * large one's chunks (unless it moved, {@link #FORGET}) and deletes the
     * entry for a delete of a key that was there. Returns the key count's
     * change. (Messages for different keys commute within a batch, so these
     * may follow the part's new values.)
     */
    private static int replaceOld(BlockAccess store, Bptr current, TreeWriter w, byte[] key, Object v, byte[] old,
                                  List<Bptr> replaced) {
        boolean counted = ObjectLayout.isUserKey(key);
        if (old != null && ObjectLayout.isLarge(old) && v != FORGET) {
            dropChunks(store, current, w, old, replaced);
        }
        int delta = 0;
        if (v == null || v == FORGET) {
            if (old == null) {
                return 0;
            }
            w.apply(Msg.delete(key));
            delta = counted ? -1 : 0;
        } else if (old == null && counted) {
            delta = 1;
        }
        if (old != null && old.length - entryBytes(v) >= SHRINKS_A_LEAF) {
            w.pushDown(key);
        }
        return delta;
    }

    /**
     * A write that makes its key's leaf entry at least this much smaller
     * goes straight down to its leaf ({@link TreeWriter#pushDown}), so the
     * old value's space comes back with its commit, as a large value's
     * blocks do. Below it, the message waits in the buffers like any other:
     * an entry of at most 511 bytes shrinking costs the leaf no more than a
     * buffered message of its size does.
     */
    static final int SHRINKS_A_LEAF = 512;

    /** About how many bytes {@code write}'s leaf entry takes: none for a delete, its bytes for an inline value. */
    private static int entryBytes(Object write) {
        if (write == null || write == FORGET) {
            return 0;
        }
        Object v = Typed.value(write);
        String type = Typed.contentType(write);
        int header = type == null ? 1 : 2 + type.length(); // the kind byte; a type's length byte and itself
        return v instanceof byte[] b && b.length <= ObjectLayout.maxInline(type) ? header + b.length : 32;
    }

    private static void dropChunks(BlockAccess store, Bptr current, TreeWriter w, byte[] old, List<Bptr> replaced) {
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

    /** Writes a large value's chunks; returns its object id (its first block's address). */
    private static long writeChunks(BlockAccess store, TreeWriter w, byte[] v, List<Bptr> written) {
        long id = -1;
        int hint = store.valueHint();
        for (long i = 0; i < ObjectLayout.chunks(v.length); i++) {
            int off = (int) (i * ObjectLayout.CHUNK);
            int len = Math.min(ObjectLayout.CHUNK, v.length - off);
            Bptr bp;
            try (CachedBlock b = store.newBlockToOverwrite(BlockFormat.TYPE_DATA, hint)) {
                ObjectLayout.fillChunk(b.data(), v, off, len);
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

    /** Claims a streamed value's reserved blocks and links them in; returns its object id. */
    private static long claimChunks(BlockAccess store, TreeWriter w, StreamedValue s, List<Bptr> written) {
        long id = s.chunks().get(0).addr();
        for (int i = 0; i < s.chunks().size(); i++) {
            Bptr bp = s.chunks().get(i);
            store.claim(List.of(bp));
            s.claimed(i);
            written.add(bp);
            w.apply(Msg.put(ObjectLayout.chunkKey(id, i), ObjectLayout.chunkValue(bp, s.chunkLength(i))));
        }
        return id;
    }
}
