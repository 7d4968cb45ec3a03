package dev.cairn.engine;

import dev.cairn.api.CairnException;
import dev.cairn.api.NoSuchTransactionException;
import dev.cairn.engine.alloc.Reserve;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.object.ObjectLayout;
import dev.cairn.engine.object.ObjectWriter;
import dev.cairn.engine.object.PreparedLarge;
import dev.cairn.engine.object.StreamedValue;
import dev.cairn.engine.object.Typed;
import dev.cairn.engine.tree.Keys;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A store's XA prepared transactions: each one's write set is kept in the
 * tree under its xid (and a streamed value it wrote parked under its object
 * id) until its outcome, so it survives a restart, and the user keys it
 * writes are held: another transaction writing one conflicts until the
 * outcome. Its maps are guarded by the store's {@code commitLock}; every
 * change goes through the store's commit path ({@code durably}), so it is
 * durable before the caller hears of it.
 */
final class PreparedTransactions {

    private final Store store;
    /** Prepared transactions (xid) and the user keys each holds until its outcome. Guarded by commitLock. */
    private final Map<ByteBuffer, List<byte[]>> prepared = new HashMap<>();
    /** User key to the xid of the prepared transaction holding it. Guarded by commitLock. */
    private final Map<ByteBuffer, ByteBuffer> held = new HashMap<>();

    PreparedTransactions(Store store) {
        this.store = store;
    }

    /** Holds the keys of the prepared transactions in the tree at {@code root}: at open, before any commit. */
    void load(Bptr root) {
        for (Map.Entry<byte[], byte[]> p : ObjectLayout.prepared(store.blocks, root)) {
            hold(p.getKey(), ObjectLayout.unpackWrites(p.getValue()).keySet());
        }
    }

    /** Whether a prepared transaction holds user key {@code key}. Under commitLock. */
    boolean holds(byte[] key) {
        return held.containsKey(ByteBuffer.wrap(key));
    }

    /** How many are prepared. Under commitLock. */
    int count() {
        return prepared.size();
    }

    /** Their xids. Under commitLock. */
    List<byte[]> xids() {
        List<byte[]> out = new ArrayList<>();
        prepared.keySet().forEach(b -> out.add(Arrays.copyOfRange(b.array(), 0, b.limit())));
        return out;
    }

    /**
     * Makes a transaction's writes and its xid durable without publishing
     * them (XA prepare). Its keys are held: other transactions that write
     * them conflict until {@link #commitPrepared} or {@link #rollbackPrepared}.
     */
    void prepare(Txn t, byte[] xid, SortedMap<byte[], Object> writes) {
        validateXid(xid);
        store.durably(() -> {
            if (prepared.containsKey(ByteBuffer.wrap(xid))) {
                throw new CairnException("a transaction with xid " + hex(xid) + " is prepared already");
            }
            store.admission.checkWritesAllowed(t, writes.keySet());
            TreeMap<byte[], Object> internal = new TreeMap<>(Keys.ORDER);
            TreeMap<byte[], Object> packed = new TreeMap<>(Keys.ORDER);
            writes.forEach((k, v) -> {
                if (Typed.value(v) instanceof StreamedValue sv) {
                    // Its chunks go into the tree now, parked, so they are durable and reachable.
                    internal.put(ObjectLayout.parkedKey(sv.chunks().get(0).addr()), sv);
                    packed.put(k, Typed.of(Typed.contentType(v),
                            new PreparedLarge(sv.length(), sv.chunks().get(0).addr())));
                } else {
                    packed.put(k, v);
                }
            });
            internal.put(ObjectLayout.preparedKey(xid), ObjectLayout.packWrites(packed));
            long seq = store.applyInternal(internal.entrySet(), false);
            hold(xid, writes.keySet());
            store.conflicts.committed(seq, writes.keySet(), store.durable.seq());
            return seq;
        });
    }

    /** Publishes ({@code publish}) or drops a prepared transaction, durably, and releases its keys. */
    void finish(byte[] xid, boolean publish) {
        validateXid(xid);
        AtomicReference<List<byte[]>> keysHeld = new AtomicReference<>();
        // An unknown xid is unknown on a store that cannot write too, so this is asked before
        // writability: the transaction manager must hear "no such branch" (done), not "cannot
        // write" (retry until a restart).
        store.durably(() -> {
            keysHeld.set(prepared.get(ByteBuffer.wrap(xid)));
            if (keysHeld.get() == null) {
                throw new NoSuchTransactionException("no prepared transaction has xid " + hex(xid));
            }
        }, () -> {
            List<byte[]> keys = keysHeld.get();
            TreeMap<byte[], Object> internal = new TreeMap<>(Keys.ORDER);
            byte[] packed = ObjectLayout.getInternal(store.blocks, store.applied.root(), ObjectLayout.preparedKey(xid));
            TreeMap<byte[], Object> writes = ObjectLayout.unpackWrites(packed);
            writes.forEach((k, v) -> {
                if (Typed.value(v) instanceof PreparedLarge pl) {
                    // Published: the user's key takes the object, the parking spot lets go of it.
                    // Dropped: deleting the parking spot frees the object's chunks.
                    internal.put(ObjectLayout.parkedKey(pl.objectId()), publish ? ObjectWriter.FORGET : null);
                }
            });
            if (publish) {
                CommitPipeline.userWrites(writes).forEach(e -> internal.put(e.getKey(), e.getValue()));
            }
            internal.put(ObjectLayout.preparedKey(xid), null);
            // A rollback only removes, and frees whatever deletes did (see Reserve);
            // the commit of a branch that only deletes is a delete.
            long seq = publish ? store.applyInternal(internal.entrySet(), CommitPipeline.onlyDeletes(writes.values()))
                    : store.blocks.removing(Reserve.ALL, () -> store.applyInternal(internal.entrySet(), true));
            prepared.remove(ByteBuffer.wrap(xid));
            keys.forEach(k -> held.remove(ByteBuffer.wrap(k)));
            if (publish) {
                store.conflicts.committed(seq, keys, store.durable.seq());
            }
            return seq;
        });
    }

    private void hold(byte[] xid, Set<byte[]> keys) {
        ByteBuffer x = ByteBuffer.wrap(xid.clone());
        List<byte[]> copy = new ArrayList<>();
        for (byte[] k : keys) {
            copy.add(k.clone());
            held.put(ByteBuffer.wrap(k.clone()), x);
        }
        prepared.put(x, copy);
    }

    private static void validateXid(byte[] xid) {
        if (xid == null || xid.length == 0 || xid.length > 255) {
            throw new IllegalArgumentException("an xid is 1 to 255 bytes");
        }
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x));
        }
        return s.toString();
    }
}
