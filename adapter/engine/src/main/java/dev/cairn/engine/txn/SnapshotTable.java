package dev.cairn.engine.txn;

import dev.cairn.api.CairnException;
import dev.cairn.engine.access.BlockAccess;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.block.ReferenceWalker;
import dev.cairn.engine.tree.Keys;
import dev.cairn.engine.tree.Msg;
import dev.cairn.engine.tree.Tree;
import dev.cairn.engine.tree.TreeWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Named snapshots and their dead lists (gefs's dead lists keyed by birth
 * generation), kept in a tree of their own (superblock root 1):
 * <pre>
 *   0x00 name                 -> id[8] gen[8] root Bptr[24]   a snapshot
 *   0x01 id[8] addr[8]        -> Bptr[24]                    a block on snapshot id's dead list
 *   0x02                      -> next id[8]
 * </pre>
 *
 * <p>A snapshot is the object tree's root at the moment it was taken, and
 * the generation {@code gen} blocks were being born in then: every block it
 * reaches was born in {@code gen} or before. When a commit stops reaching a
 * block born in generation {@code b}, some snapshot still reaches it exactly
 * when one was taken since its birth ({@code gen >= b}; a block born in the
 * snapshot's own generation after the snapshot is kept too, conservatively).
 * Such a block goes on the dead list of the newest such snapshot instead of
 * being freed. Deleting a snapshot hands each block on its dead list to the
 * newest older snapshot that was taken since the block's birth, or frees it:
 * newer snapshots never reached it (it was dead before they were taken), and
 * older ones reach it only if they were taken after its birth.
 *
 * <p>The table's own blocks are never reached by a snapshot and are freed
 * as usual. Not thread safe: the store's commit lock guards it.
 */
public final class SnapshotTable {

    /** One snapshot. */
    public record Info(String name, long id, long gen, Bptr root) {
    }

    private static final byte RECORD = 0;
    private static final byte DEAD = 1;
    private static final byte[] NEXT_ID = {2};
    public static final int MAX_NAME_BYTES = 200;

    private final BlockAccess blocks;
    private final TreeMap<Long, Info> byId = new TreeMap<>();
    private final Map<String, Info> byName = new HashMap<>();
    private long nextId = 1;

    private SnapshotTable(BlockAccess blocks) {
        this.blocks = blocks;
    }

    /** Reads the table at {@code root}. */
    public static SnapshotTable load(BlockAccess blocks, Bptr root) {
        SnapshotTable t = new SnapshotTable(blocks);
        Iterator<Map.Entry<byte[], byte[]>> it = Tree.scan(blocks, root, new byte[] {RECORD}, new byte[] {DEAD});
        while (it.hasNext()) {
            Map.Entry<byte[], byte[]> e = it.next();
            Info info = record(new String(e.getKey(), 1, e.getKey().length - 1, StandardCharsets.UTF_8), e.getValue());
            t.byId.put(info.id(), info);
            t.byName.put(info.name(), info);
        }
        byte[] next = Tree.get(blocks, root, NEXT_ID);
        if (next != null) {
            t.nextId = ByteBuffer.wrap(next).getLong();
        }
        return t;
    }

    /**
     * Snapshot {@code name} as the table at {@code root} records it, read
     * from the table's blocks (the caller keeps them from reuse), or null.
     * It answers for any version of the table, where this object holds the
     * newest: a reader asks the durable one.
     */
    public static Info find(BlockAccess blocks, Bptr root, String name) {
        if (root.isNone()) {
            return null;
        }
        byte[] v = Tree.get(blocks, root, recordKey(name.getBytes(StandardCharsets.UTF_8)));
        return v == null ? null : record(name, v);
    }

    private static Info record(String name, byte[] value) {
        ByteBuffer v = ByteBuffer.wrap(value);
        return new Info(name, v.getLong(0), v.getLong(8), Bptr.unpack(v, 16));
    }

    public Collection<Info> all() {
        return List.copyOf(byId.values());
    }

    public boolean isEmpty() {
        return byId.isEmpty();
    }

    /** The snapshot whose dead list takes a killed block born in {@code birthGen}, or null to free it. */
    private Info covering(long birthGen) {
        for (Info s : byId.descendingMap().values()) {
            if (s.gen() >= birthGen) {
                return s;
            }
        }
        return null;
    }

    /**
     * Routes blocks a commit stopped reaching: those a snapshot still
     * reaches onto its dead list, in the table at {@code root}; the others
     * into {@code toFree}, for the caller to free once the new table is in
     * place.
     *
     * @return the new table root
     */
    public Bptr kill(Bptr root, List<Bptr> killed, List<Bptr> toFree) {
        if (byId.isEmpty()) {
            toFree.addAll(killed);
            return root;
        }
        TreeWriter w = new TreeWriter(blocks, root);
        boolean changed = false;
        for (Bptr bp : killed) {
            Info s = covering(bp.gen());
            if (s == null) {
                toFree.add(bp);
            } else {
                w.apply(Msg.put(deadKey(s.id(), bp.addr()), pack(bp)));
                changed = true;
            }
        }
        if (!changed) {
            return root;
        }
        return finish(w);
    }

    /**
     * Records a snapshot of the object tree at {@code objectRoot}, taken while
     * blocks are born in {@code gen}.
     *
     * @return the new table root
     */
    public Bptr create(Bptr root, String name, Bptr objectRoot, long gen) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length == 0 || nameBytes.length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("a snapshot name is 1 to " + MAX_NAME_BYTES + " bytes of UTF-8");
        }
        if (byName.containsKey(name)) {
            throw new dev.cairn.api.AlreadyExistsException("a snapshot named " + name + " exists already");
        }
        Info info = new Info(name, nextId, gen, objectRoot);
        TreeWriter w = new TreeWriter(blocks, root);
        ByteBuffer v = ByteBuffer.allocate(16 + Bptr.SIZE).putLong(0, info.id()).putLong(8, gen);
        objectRoot.pack(v, 16);
        w.apply(Msg.put(recordKey(nameBytes), v.array()));
        w.apply(Msg.put(NEXT_ID, ByteBuffer.allocate(8).putLong(nextId + 1).array()));
        Bptr next = finish(w);
        nextId++;
        byId.put(info.id(), info);
        byName.put(name, info);
        return next;
    }

    /**
     * Removes a snapshot: each block on its dead list moves to the newest
     * older snapshot taken since the block's birth, or goes into
     * {@code toFree}.
     *
     * @return the new table root
     */
    public Bptr delete(Bptr root, String name, List<Bptr> toFree) {
        Info s = byName.get(name);
        if (s == null) {
            throw new dev.cairn.api.NoSuchSnapshotException("no snapshot is named " + name);
        }
        TreeWriter w = new TreeWriter(blocks, root);
        w.apply(Msg.delete(recordKey(name.getBytes(StandardCharsets.UTF_8))));
        Iterator<Map.Entry<byte[], byte[]>> dead = Tree.scan(blocks, root, deadKey(s.id(), 0), deadKey(s.id() + 1, 0));
        while (dead.hasNext()) {
            Map.Entry<byte[], byte[]> e = dead.next();
            Bptr bp = Bptr.unpack(ByteBuffer.wrap(e.getValue()), 0);
            w.apply(Msg.delete(e.getKey()));
            Info older = null;
            for (Info o : byId.headMap(s.id(), false).descendingMap().values()) {
                if (o.gen() >= bp.gen()) {
                    older = o;
                    break;
                }
            }
            if (older == null) {
                toFree.add(bp);
            } else {
                w.apply(Msg.put(deadKey(older.id(), bp.addr()), pack(bp)));
            }
        }
        Bptr next = finish(w);
        byId.remove(s.id());
        byName.remove(name);
        return next;
    }

    private Bptr finish(TreeWriter w) {
        try {
            Bptr r = w.finish();
            w.commit(); // the table's own replaced blocks: no snapshot reaches them
            return r;
        } catch (RuntimeException e) {
            w.abort();
            throw e;
        }
    }

    private static byte[] recordKey(byte[] name) {
        byte[] k = new byte[name.length + 1];
        k[0] = RECORD;
        System.arraycopy(name, 0, k, 1, name.length);
        return k;
    }

    private static byte[] deadKey(long id, long addr) {
        return ByteBuffer.allocate(17).put(DEAD).putLong(id).putLong(addr).array();
    }

    private static byte[] pack(Bptr bp) {
        ByteBuffer b = ByteBuffer.allocate(Bptr.SIZE);
        bp.pack(b, 0);
        return b.array();
    }

    /** Marks, for the checker, a block on a dead list: owned by a snapshot, walked no further. */
    private static final Object OWNED = new Object();

    /** The context of a node of the table's own tree (the messages buffered above it). */
    private record TableNode(Object above) {
    }

    /**
     * What the checker follows for a whole store: root 0, the object tree
     * (walked by {@code objects}); root 1, this table: its own tree, each
     * snapshot's object tree, and every block on a dead list (owned by its
     * snapshot; what it reaches, the snapshot reaches too).
     */
    public static ReferenceWalker walker(ReferenceWalker objects) {
        ReferenceWalker table = Tree.walker((k, v) -> {
            if (k.length > 0 && k[0] == RECORD) {
                Bptr root = Bptr.unpack(ByteBuffer.wrap(v), 16);
                return root.isNone() ? null : new ReferenceWalker.Ref(root, null); // an object tree
            }
            if (k.length > 0 && k[0] == DEAD) {
                return new ReferenceWalker.Ref(Bptr.unpack(ByteBuffer.wrap(v), 0), OWNED);
            }
            return null;
        });
        return (bp, block, context) -> {
            if (context == OWNED) {
                return List.of();
            }
            Object inner;
            if (context instanceof ReferenceWalker.RootSlot slot) {
                if (slot.index() != 1) {
                    return objects.children(bp, block, null);
                }
                inner = null;
            } else if (context instanceof TableNode t) {
                inner = t.above();
            } else {
                return objects.children(bp, block, context);
            }
            List<ReferenceWalker.Ref> out = new ArrayList<>();
            for (ReferenceWalker.Ref r : table.children(bp, block, inner)) {
                // A child node of the table's tree carries the table's buffered messages;
                // the rest (snapshot roots, dead blocks) are taken as they are.
                out.add(r.context() instanceof Map<?, ?> ? new ReferenceWalker.Ref(r.bp(), new TableNode(r.context())) : r);
            }
            return out;
        };
    }
}
