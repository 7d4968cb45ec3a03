package dev.cairn.engine;

import dev.cairn.api.CairnException;
import dev.cairn.api.NoSuchSnapshotException;
import dev.cairn.api.StoreClosedException;
import dev.cairn.api.StoreFullException;
import dev.cairn.api.WriteConflictException;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.check.CheckReport;
import dev.cairn.engine.object.ObjectLayout;
import dev.cairn.engine.object.ObjectWriter;
import dev.cairn.engine.object.StreamedValue;
import dev.cairn.engine.object.StreamedValues;
import dev.cairn.engine.object.VersionReader;
import dev.cairn.engine.sync.Superblock;
import dev.cairn.engine.tree.RootMemo;
import dev.cairn.engine.txn.ConflictTracker;
import dev.cairn.engine.txn.GroupSync;
import dev.cairn.engine.txn.SnapshotTable;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A Cairn store: objects (bytes under keys) in a copy-on-write Bε-tree on the
 * block engine, changed by transactions that commit atomically and durably.
 *
 * <p>Isolation: a transaction reads the last durable root as of its begin,
 * plus its own writes. Its commit is validated against what it read: when a
 * key it read (or a key in a range it scanned) was committed by another
 * transaction after it began, the commit fails with a
 * {@link WriteConflictException}. Writes it did not read are blind and never
 * conflict: of two transactions that only write one key, the later commit's
 * value stays (last writer wins). Readers never block
 * writers nor writers readers: a reader's snapshot is a root whose blocks no
 * commit changes (it pins them against reuse until it ends).
 *
 * <p>A commit applies its writes to the newest tree under the commit lock,
 * within one block generation, then waits for a sync that covers it; commits
 * that arrive while a sync runs share the next one (group commit). Commits
 * that queue for the lock meanwhile are applied together, in one tree write
 * ({@link #commit}). It returns only once durable.
 *
 * <p>Lock order: {@code commitLock}, then the block store's locks, or
 * the group sync's monitor (an applier enlists its commits with the sync
 * under way). A sync takes no store lock: it reads the newest applied root
 * from a volatile field while the block store holds off appliers.
 *
 * <p>Closing and committing agree through {@code commitLock}: every commit,
 * snapshot change and XA prepare, commit or rollback checks that the store
 * is open under it before it changes anything, and {@link #close} marks the
 * store closed under it. So each is either applied before the close, and the
 * close then waits for a sync of the group (the one its caller waits for,
 * which tells the caller it committed) before the block store closes; or it
 * is refused as closed, having written nothing. (A close that skipped the
 * lock and synced the newest applied root on its own could make a commit
 * applied just before durable while refusing that commit's own sync as
 * closed.) The close waits for the sync with no lock held, as a committer
 * does.
 */
public final class Store implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Store.class.getName());

    /** Longest key, in bytes. */
    public static final int MAX_KEY_BYTES = ObjectLayout.MAX_USER_KEY;

    /** The object tree's root, the snapshot table's root, and the sequence number of the last commit they hold. */
    record Snapshot(Bptr root, Bptr table, long seq) {
    }

    final BlockStore blocks;
    private final StoreConfig config;
    final Object commitLock = new Object();
    /** Thread safe on its own; read and written under commitLock for commits. */
    final ConflictTracker conflicts = new ConflictTracker();
    final GroupSync group;
    /** The XA prepared transactions and the keys they hold. */
    final PreparedTransactions xa = new PreparedTransactions(this);
    /** The limits and conflict checks a transaction's writes pass. */
    final Admission admission;
    /** The newest tree, durable or not; written within a generation under commitLock. */
    volatile Snapshot applied;
    volatile Snapshot durable;
    /** The object tree's last adopted root, decoded, for the next commit to start from. Guarded by commitLock. */
    private final RootMemo rootMemo = new RootMemo();
    /** The commit path of user transactions. */
    private final CommitPipeline pipeline = new CommitPipeline(this);
    /** Named snapshots. Guarded by commitLock. */
    final SnapshotTable snapshots;
    /** Taking, deleting, listing and reading them. */
    final NamedSnapshots named = new NamedSnapshots(this);
    /** The record of committed changes that subscribers read. */
    final ChangeLog changes = new ChangeLog(this);
    /** Whether user writes are refused because a primary feeds this store. */
    private final Standby standby = new Standby(commitLock);
    final AtomicLong commits = new AtomicLong();
    /**
     * Commits waiting to be applied or being applied: those in {@link #queued}
     * (added before queueing, taken off when their batch has settled them)
     * and those in {@link #durably} under the commit lock.
     */
    final AtomicInteger applying = new AtomicInteger();
    private volatile boolean closed;

    private Store(BlockStore blocks, StoreConfig config) {
        this.blocks = blocks;
        this.config = config;
        this.admission = new Admission(this, config);
        Snapshot s = new Snapshot(blocks.roots().get(Superblock.ROOT_TREE), blocks.roots().get(Superblock.ROOT_SNAPSHOTS), 0);
        this.applied = s;
        this.durable = s;
        this.snapshots = SnapshotTable.load(blocks, s.table());
        this.group = new GroupSync(this::syncNow, applying::get, 0);
        xa.load(s.root());
        changes.load(s.root());
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

    /** The log of committed changes: subscriptions, their positions, the durable changes after one. */
    public ChangeLog changes() {
        return changes;
    }

    /** Starts a transaction on the last durable state. */
    public Txn begin() {
        checkOpen();
        long pin = blocks.epochs().pin(); // before reading the root: see BlockStore.sync's onDurable
        Snapshot s = durable;
        // Its own lock: a reader never waits for a commit. Refused only when a
        // sync and a commit's sweep came in between; the durable state is newer then.
        while (!conflicts.began(s.seq())) {
            s = durable;
        }
        blocks.epochs().narrow(pin, s.root().gen()); // later commits' blocks may be reused while it is open
        return new Txn(this, s, pin, null);
    }

    /**
     * Starts a read-only transaction on snapshot {@code name}: it reads the
     * store as it was when the snapshot was taken.
     *
     * @throws dev.cairn.api.NoSuchSnapshotException when there is no such snapshot
     */
    public Txn beginAt(String name) {
        return named.beginAt(name);
    }

    /**
     * Takes snapshot {@code name} of everything committed so far, instantly
     * (no data is copied: copy-on-write keeps what it reaches), durably.
     */
    public void createSnapshot(String name) {
        standby.checkWrite();
        named.create(name);
    }

    /** Deletes snapshot {@code name}, durably, freeing exactly the blocks no other version reaches; returns with the space back. */
    public void deleteSnapshot(String name) {
        standby.checkWrite();
        named.delete(name);
        settleFrees();
    }

    /** Whether this store is a standby of a primary, and how far behind it. */
    public Standby standby() {
        return standby;
    }

    /** The writes that apply a primary's snapshot streams: the only ones a standby takes. */
    public Receiving receiving() {
        return new Receiving(this);
    }


    /**
     * Makes what a removal freed allocatable before the removal returns. A
     * freed block goes back to its arena through its syncer's queue, after
     * the removal's own sync, and a syncer task may start late (a busy
     * WorkManager); one freed while the durable root could still reach it is
     * only logged free by the next sync. A sync's barrier waits until the
     * syncers have worked off their queues: so two more syncs. Done after
     * a snapshot deletion (its point is the space) and after a commit of only
     * deletes once a write found the store full, so that the next write finds
     * the room instead of refusing until some later sync. The removal is
     * durable already: a failure here (the store then goes read-only and says
     * why) is not its failure.
     */
    void settleFrees() {
        try {
            group.syncFromNow(); // releases what was queued; logs the deferred frees and queues them
            group.syncFromNow(); // its barrier waits until the syncers released those too
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "settling the frees of a removal", e);
        }
    }

    /** The snapshots, oldest first: see {@link NamedSnapshots#list}. */
    public List<SnapshotTable.Info> snapshots() {
        return named.list();
    }

    void ended(Txn t) {
        conflicts.ended(t.snapshot().seq());
        blocks.epochs().unpin(t.pin());
    }

    /** A reader of the objects of {@code s}'s version; the caller keeps the version pinned. */
    VersionReader reader(Snapshot s) {
        return new VersionReader(blocks, s.root(), this::checkOpen);
    }

    InputStream stream(StreamedValue v) {
        return ObjectLayout.stream(blocks, v);
    }

    byte[] materialize(StreamedValue v) {
        return ObjectLayout.materialize(blocks, v);
    }

    /**
     * Writes a value from a stream into reserved data blocks, one chunk in
     * memory at a time: {@code head} first, then the rest of {@code in}.
     */
    StreamedValue streamIn(byte[] head, InputStream in) {
        checkOpen();
        return StreamedValues.of(blocks, head, in);
    }

    /** Writes a large value into reserved data blocks now, rather than under the commit lock. */
    StreamedValue copyIn(byte[] value) {
        checkOpen();
        return StreamedValues.of(blocks, value);
    }

    /** Gives back a streamed value's blocks unless a commit claimed them. */
    /** Gives back the blocks of {@code v} that no commit claimed. */
    void release(StreamedValue v) {
        v.unclaimed().forEach(blocks::unreserve);
    }

    /**
     * Applies a transaction's writes and returns once durable: see
     * {@link CommitPipeline#commit}.
     */
    void commit(Txn t, SortedMap<byte[], Object> writes) {
        pipeline.commit(t, writes);
    }

    /**
     * Makes a transaction's writes and its xid durable without publishing
     * them (XA prepare). Its keys are held: other transactions that write
     * them conflict until {@link #commitPrepared} or {@link #rollbackPrepared}.
     */
    void prepare(Txn t, byte[] xid, SortedMap<byte[], Object> writes) {
        xa.prepare(t, xid, writes);
    }

    /** Publishes a prepared transaction's writes, durably, and releases its keys. */
    public void commitPrepared(byte[] xid) {
        xa.finish(xid, true);
    }

    /** Drops a prepared transaction, durably, and releases its keys. */
    public void rollbackPrepared(byte[] xid) {
        xa.finish(xid, false);
    }

    /** The xids of the prepared transactions awaiting their outcome (after a restart too). */
    public List<byte[]> recover() {
        checkOpen();
        synchronized (commitLock) {
            return xa.xids();
        }
    }

    /** Runs {@code change} under the commit lock, then returns once its commit is durable. */
    void durably(LongSupplier change) {
        durably(() -> { }, change);
    }

    /**
     * Like {@link #durably(java.util.function.LongSupplier)}, with {@code precondition}
     * checked under the same hold of the commit lock before the store's writability.
     */
    void durably(Runnable precondition, LongSupplier change) {
        long seq;
        applying.incrementAndGet();
        try {
            synchronized (commitLock) {
                checkOpen();
                precondition.run();
                blocks.checkWritable();
                seq = change.getAsLong();
            }
        } catch (RemovalRefused e) {
            settleFrees(); // what it wrote comes back before the caller tries a smaller one (see CommitPipeline.commit)
            throw e;
        } finally {
            applying.decrementAndGet();
        }
        group.awaitDurable(seq);
        commits.incrementAndGet();
    }

    /**
     * Applies internal writes to the newest tree within one generation. The
     * blocks the new tree no longer reaches go to the snapshot table, which
     * keeps those a snapshot still reaches; the rest are freed, and only
     * after the new roots are in place.
     */
    long applyInternal(Iterable<Map.Entry<byte[], Object>> internal, boolean removal) {
        return applyInternal(internal, internal, removal);
    }

    /**
     * Like {@link #applyInternal(Iterable, boolean)}, with the change log
     * told of the user writes in {@code changed} (see {@link ChangeLog#record}).
     */
    long applyInternal(Iterable<Map.Entry<byte[], Object>> internal, Iterable<Map.Entry<byte[], Object>> changed,
                       boolean removal) {
        Supplier<Long> apply = () -> {
            Snapshot a = applied;
            List<Bptr> killed = new ArrayList<>();
            ChangeLog.Recorded recorded = changes.record(internal, changed, blocks.openGeneration());
            ObjectWriter.Applied r = ObjectWriter.apply(blocks, a.root(), recorded.writes(), killed::add, rootMemo);
            r.adopt().run(); // only collects into `killed`
            List<Bptr> toFree = new ArrayList<>();
            Bptr table;
            try {
                table = snapshots.kill(a.table(), killed, toFree);
            } catch (RuntimeException e) {
                r.abandon().run();
                throw e;
            }
            applied = new Snapshot(r.root(), table, a.seq() + 1);
            changes.applied(recorded);
            toFree.forEach(blocks::free);
            return a.seq() + 1;
        };
        if (!removal) {
            return blocks.withinGeneration(apply);
        }
        try {
            return blocks.removingWithinGeneration(apply);
        } catch (StoreFullException e) {
            throw removalRefused(e);
        }
    }

    /**
     * A removal that ran out of even the reserve, said so that the user can
     * act. A value of up to 4 KiB lives in its leaf, and a removal writes the
     * new leaves of the keys it deletes before the old ones are freed: one
     * that deletes keys spread over more leaves than the reserve has blocks
     * does not fit, where the same deletes a few at a time do (each frees
     * what the next needs). And a snapshot keeps what a removal frees, so
     * deleting values a snapshot still reaches frees nothing until the
     * snapshot is deleted.
     */
    private StoreFullException removalRefused(StoreFullException e) {
        String why = e.getMessage() + "; a removal writes the leaves it changes before it frees the old ones:"
                + " delete fewer keys a commit";
        List<String> names;
        try {
            names = named.list().stream().map(SnapshotTable.Info::name).toList();
        } catch (RuntimeException listing) {
            e.addSuppressed(listing);
            names = List.of();
        }
        if (!names.isEmpty()) {
            why += ", or delete a snapshot: " + (names.size() == 1 ? "snapshot " + names.get(0) + " holds"
                    : "snapshots " + String.join(", ", names) + " hold") + " what deletes would free";
        }
        StoreFullException said = new RemovalRefused(why);
        said.initCause(e);
        return said;
    }

    /** A removal refused for want of room: {@link #durably} settles what it wrote before it passes this on. */
    static final class RemovalRefused extends StoreFullException {
        private static final long serialVersionUID = 1L;

        RemovalRefused(String message) {
            super(message);
        }
    }

    /**
     * One sync of the newest applied tree; returns the commit sequence it made
     * durable. Once the store is closing, the sync that makes the last applied
     * commits durable hands back nothing it freed (see {@link BlockStore#sync(
     * java.util.function.Supplier, Runnable, boolean)}): nothing reuses it.
     */
    private long syncNow() {
        Snapshot[] taken = new Snapshot[1];
        blocks.sync(() -> {
            taken[0] = applied;
            return List.of(taken[0].root(), taken[0].table());
        }, () -> durable = taken[0], !closed);
        changes.durable();
        return taken[0].seq();
    }

    void checkOpen() {
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

    /** Why the store takes no writes (the failed write or fsync), or null while it does. */
    public String readOnlyReason() {
        return blocks.readOnlyReason();
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Runs a sync pass now, even with nothing new to commit (every commit is
     * durable already when it returns; this is for an administrator, and
     * carries out a requested log compression). Returns the generation made
     * durable.
     */
    public long sync() {
        checkOpen();
        group.syncFromNow(); // in the group's turn: the commits it carries hear what became of them
        return blocks.durableGen();
    }

    /** Rewrites every arena's allocation log as its free ranges (gefs's compresslog), durably. */
    public long compressLogs() {
        checkOpen();
        blocks.compressLogs();
        return sync();
    }

    /**
     * Checks the durable state: every block verified, nothing leaked, nothing
     * reachable and free. It checks the version durable when it starts, while
     * commits go on (they wait only while it reads the superblocks and logs);
     * see {@link BlockStore#check}.
     */
    public CheckReport check() {
        checkOpen();
        return blocks.check(SnapshotTable.walker(ObjectLayout.walker()));
    }

    public StoreStats stats() {
        BlockStoreStats b = blocks.stats();
        long used = 0;
        long free = 0;
        for (int i = 0; i < b.arenaUsed().length; i++) {
            used += b.arenaUsed()[i];
            free += b.arenaFree()[i];
        }
        // A closed store has no keys or snapshots to count. Checking first
        // would not do: the console may read the figures while the server
        // closes the store, and the close can land between the check and the
        // read (which then throws).
        long keys;
        int snapshotsNow;
        blocks.epochs().enter();
        try {
            keys = ObjectLayout.keyCount(blocks, durable.root());
            snapshotsNow = snapshots().size();
        } catch (StoreClosedException e) {
            keys = 0;
            snapshotsNow = 0;
        } finally {
            blocks.epochs().exit();
        }
        int preparedNow;
        synchronized (commitLock) {
            preparedNow = xa.count();
        }
        return new StoreStats(keys, commits.get(), b.syncs(), admission.conflictCount(), preparedNow, snapshotsNow, used, free,
                b.cache().hits(), b.cache().misses(), b.readOnly());
    }

    /** The block engine's figures: cache, arenas, logs, syncs. */
    public BlockStoreStats blockStats() {
        return blocks.stats();
    }

    /**
     * Closes the store. Every commit that returned is durable already, and so
     * is every commit applied before the close: its caller is told it
     * committed. A commit that reaches the commit lock after the close is
     * refused as closed before it writes anything; transactions still open
     * lose their writes.
     */
    @Override
    public void close() {
        long last;
        synchronized (commitLock) {
            if (closed) {
                return;
            }
            closed = true;
            last = applied.seq();
        }
        changes.durable(); // a subscriber waiting for changes hears of the close
        try {
            group.awaitDurable(last);
        } catch (CairnException e) {
            // The sync failed and its commits' callers heard why; the store is
            // read-only, and what the last completed sync made durable is safe.
        }
        // Settled: after a clean close a corrupt block is reported as corrupt, never
        // taken for a crash before the last commit's force (see BlockStore).
        blocks.close(() -> List.of(applied.root(), applied.table()));
    }
}
