package dev.cairn.engine;

import dev.cairn.api.CairnException;
import dev.cairn.api.WriteConflictException;
import dev.cairn.engine.object.ObjectLayout;
import dev.cairn.engine.object.StreamedValue;
import dev.cairn.engine.object.Typed;
import dev.cairn.engine.tree.Keys;
import dev.cairn.engine.txn.CommitQueue;
import dev.cairn.engine.txn.GroupSync;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * How a user transaction's commit reaches the tree and the disk (group
 * commit): commits of small values queue for the store's commit lock and
 * whoever takes it applies every queued one in one tree write; a commit
 * with a large value is applied on its own. Each returns once the sync that
 * covers it is durable. Runs on the committing threads, under the store's
 * {@code commitLock} while applying (see {@link Store}'s lock order).
 */
final class CommitPipeline {

    /**
     * A transaction's commit: the transaction and its writes by user key,
     * and, once applied, what the sync under way said of it (null when
     * none was under way): written before the commit is marked applied,
     * which publishes it.
     */
    private static final class UserCommit {
        final Txn txn;
        final SortedMap<byte[], Object> writes;
        GroupSync.Outcome synced;
        /** Applied and left to the sync under way to settle. Only for the thread store.applying its batch. */
        boolean enlisted;

        UserCommit(Txn txn, SortedMap<byte[], Object> writes) {
            this.txn = txn;
            this.writes = writes;
        }

        Txn txn() {
            return txn;
        }

        SortedMap<byte[], Object> writes() {
            return writes;
        }
    }

    private final Store store;
    /** Commits of small values waiting for the commit lock (see {@link #commit}). */
    private final CommitQueue<UserCommit> queued = new CommitQueue<>();

    CommitPipeline(Store store) {
        this.store = store;
    }

    /**
     * Applies a transaction's writes ({@code byte[]}, {@link StreamedValue},
     * null for a delete) and returns once durable. A commit of small values
     * waits in {@link #queued}, so that commits arriving while another is
     * applied share one tree write; one with a large value is applied on
     * its own, since it claims data blocks that a shared write given up
     * would free under it.
     */
    void commit(Txn t, SortedMap<byte[], Object> writes) {
        if (!onlyInlineValues(writes)) {
            store.durably(() -> {
                long seq = applyOne(t, writes);
                store.blocks.epochs().unpin(t.pin());
                return seq;
            });
            return;
        }
        UserCommit c = new UserCommit(t, writes);
        store.applying.incrementAndGet(); // applyQueued takes it off
        CommitQueue.Waiting<UserCommit> w = queued.add(c);
        queued.await(w, () -> {
            synchronized (store.commitLock) {
                applyQueued();
            }
        });
        long seq;
        try {
            seq = w.outcome();
        } catch (Store.RemovalRefused e) {
            // As Store.durably does for the other removals: what the refused removal
            // wrote before it ran out was freed; bring it back now, so that the
            // smaller removals its message asks for find it.
            store.blocks.epochs().unpin(t.pin());
            store.settleFrees();
            throw e;
        }
        // Applied: the transaction reads nothing more, and what its commit
        // freed must not wait for it. Held through the commit's own sync, it
        // would come back only at the sync after, and a full store whose last
        // commit deleted everything would refuse every put until another sync.
        store.blocks.epochs().unpin(t.pin());
        if (c.synced == GroupSync.Outcome.LEAD) {
            store.group.lead(seq);
        } else if (c.synced != GroupSync.Outcome.DURABLE) {
            store.group.awaitDurable(seq); // none was under way, or it failed: this throws why
        }
        store.commits.incrementAndGet();
        if (onlyDeletes(writes.values()) && store.blocks.takeFoundFull()) {
            store.settleFrees();
        }
    }

    private static boolean onlyInlineValues(Map<byte[], Object> writes) {
        for (Object v : writes.values()) {
            if (v != null && !(Typed.value(v) instanceof byte[] b && b.length <= ObjectLayout.maxInline(Typed.contentType(v)))) {
                return false;
            }
        }
        return true;
    }

    /** One transaction's commit, alone. Under store.commitLock. */
    private long applyOne(Txn t, SortedMap<byte[], Object> writes) {
        store.admission.checkWritesAllowed(t, writes.keySet());
        long seq = store.applyInternal(userWrites(writes), onlyDeletes(writes.values()));
        store.conflicts.committed(seq, writes.keySet(), store.durable.seq());
        return seq;
    }

    /**
     * Applies every queued commit in one tree write, as one commit sequence
     * number: they become visible and durable together. Under commitLock.
     * A commit refused on its own (a conflict, a held key) is refused here
     * too; one that writes a key an earlier commit of the batch writes
     * conflicts with it, as it would one at a time (it began before that one
     * committed). When the shared write fails, each is applied on its own, so
     * each hears only its own outcome.
     */
    private void applyQueued() {
        List<CommitQueue.Waiting<UserCommit>> batch = queued.takeAll();
        try {
            store.checkOpen();
            store.blocks.checkWritable();
            List<CommitQueue.Waiting<UserCommit>> passing = new ArrayList<>();
            for (CommitQueue.Waiting<UserCommit> w : batch) {
                UserCommit c = w.commit();
                try {
                    store.admission.checkWritesAllowed(c.txn(), c.writes().keySet());
                    for (CommitQueue.Waiting<UserCommit> earlier : passing) {
                        byte[] k = c.txn().reads().firstCovered(earlier.commit().writes());
                        if (k != null) {
                            throw store.admission.committedSinceBegin(k);
                        }
                    }
                } catch (WriteConflictException e) {
                    w.refused(e);
                    continue;
                }
                passing.add(w);
            }
            if (passing.isEmpty()) {
                return;
            }
            Iterable<Map.Entry<byte[], Object>> union;
            Iterable<Map.Entry<byte[], Object>> each; // every commit's writes, in commit order, for the change log
            boolean removal = true;
            for (CommitQueue.Waiting<UserCommit> w : passing) {
                removal &= onlyDeletes(w.commit().writes().values());
            }
            if (passing.size() == 1) {
                union = userWrites(passing.get(0).commit().writes()); // a bulk commit is not copied again
                each = union;
            } else {
                TreeMap<byte[], Object> all = new TreeMap<>(Keys.ORDER);
                passing.forEach(w -> userWrites(w.commit().writes()).forEach(e -> all.put(e.getKey(), e.getValue())));
                union = all.entrySet();
                each = () -> passing.stream().flatMap(w -> w.commit().writes().entrySet().stream()
                        .map(e -> Map.entry(ObjectLayout.userKey(e.getKey()), e.getValue()))).iterator();
            }
            long seq;
            try {
                seq = store.applyInternal(union, each, removal);
            } catch (RuntimeException e) {
                for (CommitQueue.Waiting<UserCommit> w : passing) {
                    try {
                        store.blocks.checkWritable(); // as a commit applied alone checks first
                        w.applied(applyOne(w.commit().txn(), w.commit().writes()));
                    } catch (RuntimeException alone) {
                        w.refused(alone);
                    }
                }
                return;
            }
            for (CommitQueue.Waiting<UserCommit> w : passing) {
                UserCommit c = w.commit();
                store.conflicts.committed(seq, c.writes().keySet(), store.durable.seq());
                // With a sync under way, the committer sleeps on until that sync settles it: one wake-up, not two.
                if (store.group.enlist(seq, outcome -> {
                    c.synced = outcome;
                    w.applied(seq);
                })) {
                    c.enlisted = true;
                } else {
                    w.applied(seq);
                }
            }
        } catch (RuntimeException e) {
            for (CommitQueue.Waiting<UserCommit> w : batch) {
                if (unsettled(w)) {
                    w.refused(e);
                }
            }
        } finally {
            // Whatever escaped (an Error), no committer may go on as if applied.
            for (CommitQueue.Waiting<UserCommit> w : batch) {
                if (unsettled(w)) {
                    w.refused(new CairnException("the commit was not applied: the thread applying it failed"));
                }
            }
            store.applying.addAndGet(-batch.size());
        }
    }

    /** A commit of a batch being applied that has neither an outcome nor been left to the sync under way. */
    private static boolean unsettled(CommitQueue.Waiting<UserCommit> w) {
        return !w.done() && !w.commit().enlisted;
    }

    /**
     * Whether a commit only deletes, and so may use the arenas' reserve. A
     * commit that also puts may not, even if it frees more than it adds: the
     * reserve is kept for the commits that cannot add, so a full store
     * always lets a key be deleted.
     */
    static boolean onlyDeletes(Collection<?> values) {
        for (Object v : values) {
            if (v != null) {
                return false;
            }
        }
        return true;
    }

    /** A transaction's writes under their internal keys, made one at a time as they are read. */
    static Iterable<Map.Entry<byte[], Object>> userWrites(Map<byte[], Object> writes) {
        return () -> new Iterator<>() {
            private final Iterator<Map.Entry<byte[], Object>> in = writes.entrySet().iterator();

            @Override
            public boolean hasNext() {
                return in.hasNext();
            }

            @Override
            public Map.Entry<byte[], Object> next() {
                Map.Entry<byte[], Object> e = in.next();
                return new AbstractMap.SimpleImmutableEntry<>(ObjectLayout.userKey(e.getKey()), e.getValue());
            }
        };
    }
}
