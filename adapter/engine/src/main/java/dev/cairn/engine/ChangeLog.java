package dev.cairn.engine;

import dev.cairn.api.CairnException;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.object.ChangeRecords;
import dev.cairn.engine.tree.Keys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The store's change log: while any subscription exists, every commit
 * writes a record of each put and delete it makes into the same tree write
 * (see {@link ChangeRecords}), numbered in commit order. A record is durable
 * exactly when its change is, and is read back only from the durable tree:
 * a reader never sees a change that a crash could take back. Each
 * subscription keeps, in the tree too, the number of the last change it
 * has acknowledged; records every subscription has acknowledged are deleted
 * in the acknowledging commit. Nothing is held in memory for a subscriber:
 * one that falls behind reads the records from the tree when it catches up,
 * and commits never wait for it.
 *
 * <p>{@link #subscriptions}, {@link #last} and {@link #trimmedThrough} are
 * guarded by the store's {@code commitLock}; every change to the log's
 * entries goes through the store's commit path ({@code durably} or a
 * commit's {@code applyInternal}). {@link #arrivals} is a monitor of its own,
 * taken under no other lock and holding none (see {@link #awaitAfter}).
 */
public final class ChangeLog {

    private static final Logger LOG = Logger.getLogger(ChangeLog.class.getName());

    private final Store store;
    /** Subscription name to the last change number it acknowledged. Guarded by commitLock. */
    private final TreeMap<String, Long> subscriptions = new TreeMap<>();
    /** The number of the newest change recorded in the applied tree. Written under commitLock; read by the console without it. */
    private volatile long last;
    /** Records up to this number are deleted (every subscription acknowledged them). Written under commitLock. */
    private volatile long trimmedThrough;
    /** {@link #subscriptions} as the console reads it, replaced whole under commitLock. */
    private volatile Map<String, Long> published = Map.of();
    /** Notified after each sync while anyone waits; guards {@link #syncs}. */
    private final Object arrivals = new Object();
    /** Syncs seen while someone waited. Guarded by {@link #arrivals}. */
    private long syncs;
    /** Threads in {@link #awaitAfter}; written under {@link #arrivals}. */
    private volatile int waiting;
    /** Told after each sync (see {@link #addListener}). */
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    ChangeLog(Store store) {
        this.store = store;
    }

    /** Reads the log's state from the tree at {@code root}: at open, before any commit. */
    void load(Bptr root) {
        subscriptions.putAll(ChangeRecords.subscriptions(store.blocks, root));
        // Once every record is acknowledged and deleted, the newest number
        // lives on as the highest position.
        // the highest position, or the floor the last unsubscribe left.
        long newest = Math.max(ChangeRecords.newest(store.blocks, root), ChangeRecords.floor(store.blocks, root));
        for (long p : subscriptions.values()) {
            newest = Math.max(newest, p);
        }
        last = newest;
        trimmedThrough = minPosition();
        publish();
    }

    /** A commit's internal writes with the records of its user writes after them, and how to settle them. */
    record Recorded(Iterable<Map.Entry<byte[], Object>> writes, int count) {
    }

    /**
     * {@code internal} (a tree write under internal keys), with a change
     * record appended for each user key's write in {@code changed} while
     * anyone subscribes. {@code changed} is {@code internal} itself, or for
     * commits applied together, each one's writes in commit order: two of
     * them writing one key are two changes, though the tree write holds
     * the later one only. The records' numbers follow {@link #last}, which
     * {@link #applied} advances once the tree write has succeeded. Under
     * commitLock, within the commit's generation.
     */
    Recorded record(Iterable<Map.Entry<byte[], Object>> internal, Iterable<Map.Entry<byte[], Object>> changed,
                    long generation) {
        if (subscriptions.isEmpty()) {
            return new Recorded(internal, 0);
        }
        List<byte[]> keys = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        for (Map.Entry<byte[], Object> e : changed) {
            byte[] key = ChangeRecords.userKeyOf(e.getKey());
            if (key != null) {
                keys.add(key);
                sizes.add(ChangeRecords.sizeOf(e.getValue()));
            }
        }
        if (keys.isEmpty()) {
            return new Recorded(internal, 0);
        }
        // Records of at most MAX_RECORD changes: a reader past the start of a
        // bulk commit's changes then unpacks a bounded record, not all of them.
        long now = System.currentTimeMillis();
        List<Map.Entry<byte[], Object>> records = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += ChangeRecords.MAX_RECORD) {
            int to = Math.min(keys.size(), from + ChangeRecords.MAX_RECORD);
            records.add(Map.entry(ChangeRecords.recordKey(last + to),
                    ChangeRecords.pack(generation, now, keys.subList(from, to), sizes.subList(from, to))));
        }
        return new Recorded(() -> concat(internal.iterator(), records.iterator()), keys.size());
    }

    static <T> Iterator<T> concat(Iterator<? extends T> a, Iterator<? extends T> b) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return a.hasNext() || b.hasNext();
            }

            @Override
            public T next() {
                return a.hasNext() ? a.next() : b.next();
            }
        };
    }

    /** The tree write carrying {@code r} succeeded. Under commitLock. */
    void applied(Recorded r) {
        last += r.count();
    }

    /**
     * Wakes whoever waits for changes: a sync made more of them durable, or
     * the store closes. Called by the thread that ran the sync, after it,
     * with no lock held; costs two volatile reads when nobody listens.
     */
    void durable() {
        if (waiting > 0) {
            synchronized (arrivals) {
                syncs++;
                arrivals.notifyAll();
            }
        }
        for (Runnable l : listeners) {
            try {
                l.run();
            } catch (Throwable e) { // never into the sync's hand-off: its commits are durable and must hear so
                LOG.log(Level.SEVERE, "a change listener failed; it is told of the next sync all the same", e);
            }
        }
    }

    /**
     * Has {@code listener} run after every sync and at the store's close,
     * on the thread that ran it (a committer): it must only hand work
     * elsewhere, never read the store or wait.
     */
    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    public void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    /**
     * Creates subscription {@code name} at the newest change, durably, so
     * that it is given every change committed after this call; an existing
     * one keeps its position.
     *
     * @return the subscription's position: the number of the last change it has acknowledged
     */
    public long subscribe(String name) {
        validate(name);
        long[] position = new long[1];
        store.durably(() -> {
            Long p = subscriptions.get(name);
            if (p != null) {
                position[0] = p;
                return store.applied.seq(); // nothing to write; waits for what was applied before
            }
            TreeMap<byte[], Object> w = new TreeMap<>(Keys.ORDER);
            w.put(ChangeRecords.subscriptionKey(name), ChangeRecords.position(last));
            long seq = store.applyInternal(w.entrySet(), false);
            if (subscriptions.isEmpty()) {
                trimmedThrough = last; // nothing before now is recorded for anyone
            }
            subscriptions.put(name, last);
            publish();
            position[0] = last;
            return seq;
        });
        return position[0];
    }

    /**
     * Records that subscription {@code name} has handled every change up to
     * {@code position}, durably; the records no subscription still needs
     * are deleted in the same commit. A position at or before the current
     * one changes nothing.
     *
     * @throws CairnException when there is no such subscription, or {@code position} is past the newest change
     */
    public void acknowledge(String name, long position) {
        store.durably(() -> {
            Long current = subscriptions.get(name);
            if (current == null) {
                throw new CairnException("no change subscription is named " + name);
            }
            if (position > last) {
                throw new CairnException("change " + position + " of subscription " + name
                        + " is past the newest change, " + last);
            }
            if (position <= current) {
                return store.applied.seq();
            }
            TreeMap<String, Long> after = new TreeMap<>(subscriptions);
            after.put(name, position);
            TreeMap<byte[], Object> w = new TreeMap<>(Keys.ORDER);
            w.put(ChangeRecords.subscriptionKey(name), ChangeRecords.position(position));
            long trimTo = trim(w, min(after));
            // Only deletes and a position overwritten in place: like a delete, it may
            // use the arenas' reserve, so a store that records filled can still be
            // acknowledged, and so emptied.
            long seq = store.applyInternal(w.entrySet(), true);
            subscriptions.put(name, position);
            publish();
            trimmedThrough = trimTo;
            return seq;
        });
    }

    /** Removes subscription {@code name} and the records only it still needed, durably; false when there is none. */
    public boolean unsubscribe(String name) {
        boolean[] existed = new boolean[1];
        store.durably(() -> {
            if (!subscriptions.containsKey(name)) {
                return store.applied.seq();
            }
            existed[0] = true;
            TreeMap<String, Long> after = new TreeMap<>(subscriptions);
            after.remove(name);
            TreeMap<byte[], Object> w = new TreeMap<>(Keys.ORDER);
            w.put(ChangeRecords.subscriptionKey(name), null);
            long trimTo = trim(w, after.isEmpty() ? last : min(after));
            w.put(ChangeRecords.FLOOR, ChangeRecords.position(last)); // numbering goes on after a reopen with none left
            long seq = store.applyInternal(w.entrySet(), true); // a removal, as an acknowledgement
            subscriptions.remove(name);
            publish();
            trimmedThrough = trimTo;
            return seq;
        });
        return existed[0];
    }

    /**
     * Adds to {@code w} the deletes of the records wholly at or before
     * {@code through} (found in the applied tree: under commitLock, its
     * blocks stay put). Returns the new {@link #trimmedThrough}: a record
     * that {@code through} splits stays whole until its last change is
     * acknowledged too.
     */
    private long trim(TreeMap<byte[], Object> w, long through) {
        long trimmed = trimmedThrough;
        for (long lastOfRecord : ChangeRecords.recordsBetween(store.blocks, store.applied.root(), trimmedThrough, through)) {
            w.put(ChangeRecords.recordKey(lastOfRecord), null);
            trimmed = lastOfRecord;
        }
        return trimmed;
    }

    /** Under commitLock, after {@link #subscriptions} changed. */
    private void publish() {
        published = Map.copyOf(subscriptions);
    }

    private long minPosition() {
        return subscriptions.isEmpty() ? last : min(subscriptions);
    }

    private static long min(Map<String, Long> positions) {
        long m = Long.MAX_VALUE;
        for (long p : positions.values()) {
            m = Math.min(m, p);
        }
        return m;
    }

    private static void validate(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a change subscription needs a name");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > ChangeRecords.MAX_NAME) {
            throw new IllegalArgumentException("change subscription name is longer than " + ChangeRecords.MAX_NAME
                    + " bytes: " + name);
        }
    }

    /**
     * Up to {@code max} durable changes numbered after {@code after}, in
     * commit order; empty when there are none yet.
     */
    public List<ChangeRecords.Change> read(long after, int max) {
        store.checkOpen();
        store.blocks.epochs().enter(); // the durable root's blocks stay put while it is read
        try {
            return ChangeRecords.after(store.blocks, store.durable.root(), after, max);
        } finally {
            store.blocks.epochs().exit();
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for a sync (or the store's close),
     * unless a durable change after {@code after} is there already. The
     * tree is read with no monitor held, so a sync never waits for a reader.
     */
    public void awaitAfter(long after, long timeoutMillis) throws InterruptedException {
        long seen;
        synchronized (arrivals) {
            waiting++;
            seen = syncs;
        }
        try {
            if (store.isClosed() || !read(after, 1).isEmpty()) {
                return;
            }
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            synchronized (arrivals) {
                long left;
                while (syncs == seen && !store.isClosed() && (left = deadline - System.nanoTime()) > 0) {
                    arrivals.wait(Math.max(1, left / 1_000_000L));
                }
            }
        } finally {
            synchronized (arrivals) {
                waiting--;
            }
        }
    }

    /** Each subscription's position (the last change it acknowledged), by name, in name order; takes no lock. */
    public Map<String, Long> subscriptions() {
        return new TreeMap<>(published);
    }

    /** The number of the newest change committed (applied; durable once its commit returned); takes no lock. */
    public long newest() {
        return last;
    }

    /** How many changes the store keeps records of: those some subscription has not acknowledged (and their record's others). */
    public long retained() {
        return last - trimmedThrough;
    }
}
