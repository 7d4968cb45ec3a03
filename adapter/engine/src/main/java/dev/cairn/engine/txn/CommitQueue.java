package dev.cairn.engine.txn;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Commits waiting to be applied. The committer whose turn it is (see
 * {@link #await}) takes every commit waiting and applies them together, in
 * one tree write: under load, the commits that queue behind one being
 * applied then cost one root block between them instead of one each (the
 * apply side of group commit).
 *
 * <p>Thread safety: {@link #add} and {@link #await} from any thread;
 * {@link #takeAll} only under the owner's commit lock. Each taken commit's
 * outcome is set once, by the lock holder that took it, or later by whoever
 * that holder handed it to (the store hands an applied commit to the sync
 * under way, so that its committer wakes once, when it is durable). An
 * outcome is published by the volatile {@code done} flag, set after it,
 * and the setter wakes the committer.
 *
 * @param <C> what a commit carries (the owner's business)
 */
public final class CommitQueue<C> {

    /** One waiting commit and, once some lock holder has handled it, its outcome. */
    public static final class Waiting<C> {
        private final C commit;
        private final Thread committer = Thread.currentThread();
        /** Written last, after the outcome, so a committer that reads it true sees the outcome. */
        private volatile boolean done;
        /** Some lock holder took it ({@link #takeAll}); it is settled later, maybe after a sync. */
        private volatile boolean taken;
        private long seq;
        private RuntimeException failure;

        Waiting(C commit) {
            this.commit = commit;
        }

        public C commit() {
            return commit;
        }

        /** Whether some holder of the commit lock has applied or refused it. */
        public boolean done() {
            return done;
        }

        public void applied(long seq) {
            this.seq = seq;
            this.done = true;
            LockSupport.unpark(committer);
        }

        public void refused(RuntimeException why) {
            this.failure = why;
            this.done = true;
            LockSupport.unpark(committer);
        }

        /** The commit's sequence number; throws why it was refused. */
        public long outcome() {
            if (failure != null) {
                throw failure;
            }
            return seq;
        }
    }

    private final ConcurrentLinkedQueue<Waiting<C>> waiting = new ConcurrentLinkedQueue<>();
    /** A committer is running {@code applyAll} (see {@link #await}). */
    private final AtomicBoolean applying = new AtomicBoolean();

    public Waiting<C> add(C commit) {
        Waiting<C> w = new Waiting<>(commit);
        waiting.add(w);
        return w;
    }

    /**
     * Returns once {@code w} has an outcome. Meanwhile, when no other
     * committer is applying and {@code w} has not been taken, this one runs
     * {@code applyAll}, which must take every waiting commit
     * ({@link #takeAll}) and see that each gets an outcome; otherwise it
     * sleeps until its commit has one or it is handed the turn. The other committers sleep on their own commit rather than
     * queue on the commit lock: a monitor hands itself from one blocked
     * thread to the next, one context switch after another, each to learn
     * that its commit was already applied.
     *
     * <p>No commit is stranded: one that arrives while another committer
     * applies either finds the flag clear and applies itself, or is in the
     * queue when that committer, having cleared the flag, wakes the oldest
     * waiting commit's thread to take the next turn.
     */
    public void await(Waiting<C> w, Runnable applyAll) {
        boolean interrupted = false;
        while (!w.done()) {
            // A commit taken but not yet settled waits for whoever settles it
            // (its outcome may wait for a sync): its committer has no turn to take.
            if (!w.taken && applying.compareAndSet(false, true)) {
                try {
                    applyAll.run();
                } finally {
                    applying.set(false);
                    Waiting<C> next = waiting.peek();
                    if (next != null) {
                        LockSupport.unpark(next.committer);
                    }
                }
            } else {
                LockSupport.park(this);
                interrupted |= Thread.interrupted(); // else park returns at once, for good
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every commit waiting now, in the order they arrived. */
    public List<Waiting<C>> takeAll() {
        List<Waiting<C>> out = new ArrayList<>();
        for (Waiting<C> w; (w = waiting.poll()) != null; ) {
            w.taken = true;
            out.add(w);
        }
        return out;
    }
}
