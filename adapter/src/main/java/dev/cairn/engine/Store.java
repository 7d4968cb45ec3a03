package dev.cairn.engine;

import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.check.CheckReport;
import dev.cairn.engine.object.ObjectLayout;
import dev.cairn.engine.object.ObjectWriter;
import dev.cairn.engine.sync.Superblock;
import dev.cairn.engine.txn.ConflictTracker;
import dev.cairn.engine.txn.GroupSync;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Cairn store: objects (bytes under keys) in a copy-on-write Bε-tree on the
 * block engine, changed by transactions that commit atomically and durably.
 *
 * <p>Snapshot isolation: a transaction reads the last durable root as of its
 * begin, plus its own writes; of two transactions that write one key, the
 * later committer gets a {@link WriteConflictException}. Readers never block
 * writers nor writers readers: a reader's snapshot is a root whose blocks no
 * commit changes (it pins them against reuse until it ends).
 *
 * <p>A commit applies its writes to the newest tree under the commit lock,
 * within one block generation, then waits for a sync that covers it; commits
 * that arrive while a sync runs share the next one (group commit). It
 * returns only once durable.
 *
 * <p>Lock order: {@code commitLock}, then the block store's locks. A sync
 * takes no store lock: it reads the newest applied root from a volatile field
 * while the block store holds off appliers.
 */
public final class Store implements AutoCloseable {

    /** Longest key, in bytes. */
    public static final int MAX_KEY_BYTES = ObjectLayout.MAX_USER_KEY;

    /** A tree root and the sequence number of the last commit it holds. */
    record Snapshot(Bptr root, long seq) {
    }

    private final BlockStore blocks;
    private final StoreConfig config;
    private final Object commitLock = new Object();
    /** Guarded by commitLock. */
    private final ConflictTracker conflicts = new ConflictTracker();
    private final GroupSync group;
    /** The newest tree, durable or not; written within a generation under commitLock. */
    private volatile Snapshot applied;
    private volatile Snapshot durable;
    private final AtomicLong commits = new AtomicLong();
    /** Commits that entered {@link #commit} and have not yet applied their writes (or failed). */
    private final java.util.concurrent.atomic.AtomicInteger applying = new java.util.concurrent.atomic.AtomicInteger();
    private final AtomicLong conflictCount = new AtomicLong();
    private volatile boolean closed;

    private Store(BlockStore blocks, StoreConfig config) {
        this.blocks = blocks;
        this.config = config;
        Snapshot s = new Snapshot(blocks.roots().get(Superblock.ROOT_TREE), 0);
        this.applied = s;
        this.durable = s;
        this.group = new GroupSync(this::syncNow, applying::get, 0);
    }

    /** Formats a new store at {@code path}; fails when the file exists. */
    public static Store create(Path path, StoreConfig config) {
        return new Store(BlockStore.create(path, config), config);
    }

    /** Opens an existing store, recovering it to its last completed commit. */
    public static Store open(Path path, StoreConfig config) {
        return new Store(BlockStore.open(path, config), config);
    }

    /** Opens the store at {@code path}, creating it when there is no file. */
    public static Store openOrCreate(Path path, StoreConfig config) {
        return Files.exists(path) ? open(path, config) : create(path, config);
    }

    /** Starts a transaction on the last durable state. */
    public Txn begin() {
        checkOpen();
        long pin = blocks.pin(); // before reading the root: see BlockStore.sync's onDurable
        Snapshot s = durable;
        synchronized (commitLock) {
            conflicts.began(s.seq());
        }
        return new Txn(this, s, pin);
    }

    void ended(Txn t) {
        synchronized (commitLock) {
            conflicts.ended(t.snapshot().seq());
        }
        blocks.unpin(t.pin());
    }

    byte[] read(Snapshot s, byte[] key) {
        checkOpen();
        return ObjectLayout.get(blocks, s.root(), key);
    }

    boolean exists(Snapshot s, byte[] key) {
        checkOpen();
        return ObjectLayout.exists(blocks, s.root(), key);
    }

    Iterator<Map.Entry<byte[], byte[]>> scan(Snapshot s, byte[] from, byte[] to) {
        checkOpen();
        return ObjectLayout.scan(blocks, s.root(), from, to);
    }

    /** Applies a transaction's writes (null values are deletes) and returns once they are durable. */
    void commit(Txn t, SortedMap<byte[], byte[]> writes) {
        long seq;
        applying.incrementAndGet();
        try {
            seq = apply(t, writes);
        } finally {
            applying.decrementAndGet();
        }
        group.awaitDurable(seq);
        commits.incrementAndGet();
    }

    private long apply(Txn t, SortedMap<byte[], byte[]> writes) {
        long seq;
        synchronized (commitLock) {
            checkOpen();
            blocks.checkWritableForCommit();
            byte[] k = conflicts.conflict(t.snapshot().seq(), writes.keySet());
            if (k != null) {
                conflictCount.incrementAndGet();
                throw new WriteConflictException("write conflict on key " + printable(k)
                        + ": another transaction committed it after this one began; nothing was written");
            }
            seq = blocks.withinGeneration(() -> {
                Snapshot a = applied;
                ObjectWriter.Applied r = ObjectWriter.apply(blocks, a.root(), writes);
                applied = new Snapshot(r.root(), a.seq() + 1);
                r.adopt().run();
                return a.seq() + 1;
            });
            conflicts.committed(seq, writes.keySet());
        }
        return seq;
    }

    /** One sync of the newest applied tree; returns the commit sequence it made durable. */
    private long syncNow() {
        Snapshot[] taken = new Snapshot[1];
        blocks.sync(() -> {
            taken[0] = applied;
            return List.of(taken[0].root());
        }, () -> durable = taken[0]);
        return taken[0].seq();
    }

    static void validateKey(byte[] key) {
        if (key == null || key.length == 0) {
            throw new InvalidKeyException("key is empty");
        }
        if (key.length > MAX_KEY_BYTES) {
            throw new InvalidKeyException("key is " + key.length + " bytes, longer than the " + MAX_KEY_BYTES + " allowed");
        }
    }

    void validateValue(byte[] value) {
        if (value == null) {
            throw new IllegalArgumentException("value is null; use delete to remove a key");
        }
        if (value.length > config.maxValueBytes()) {
            throw new ValueTooLargeException("value is " + value.length + " bytes, larger than the "
                    + config.maxValueBytes() + " this store accepts");
        }
    }

    private static String printable(byte[] key) {
        StringBuilder s = new StringBuilder();
        for (byte b : key) {
            s.append(b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\\\x%02x", b));
            if (s.length() > 80) {
                return s.append("...").toString();
            }
        }
        return s.toString();
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreClosedException("store " + blocks.path() + " is closed");
        }
    }

    public Path path() {
        return blocks.path();
    }

    /** Sync generation of the last durable commit (rises by one per sync). */
    public long generation() {
        return blocks.durableGen();
    }

    public boolean isReadOnly() {
        return blocks.isReadOnly();
    }

    /** Checks the durable state: every block verified, nothing leaked, nothing reachable and free. */
    public CheckReport check() {
        checkOpen();
        return blocks.check(ObjectLayout.walker());
    }

    public StoreStats stats() {
        BlockStoreStats b = blocks.stats();
        long used = 0;
        long free = 0;
        for (int i = 0; i < b.arenaUsed().length; i++) {
            used += b.arenaUsed()[i];
            free += b.arenaFree()[i];
        }
        long keys;
        blocks.enterEpoch();
        try {
            keys = closed ? 0 : ObjectLayout.keyCount(blocks, durable.root());
        } finally {
            blocks.exitEpoch();
        }
        return new StoreStats(keys, commits.get(), b.syncs(), conflictCount.get(), used, free,
                b.cache().hits(), b.cache().misses(), b.readOnly());
    }

    /** The block engine's figures: cache, arenas, logs, syncs. */
    public BlockStoreStats blockStats() {
        return blocks.stats();
    }

    /**
     * Closes the store. Every commit that returned is durable already;
     * transactions still open lose their writes.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        blocks.close();
    }
}
