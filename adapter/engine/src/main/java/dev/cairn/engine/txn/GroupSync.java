package dev.cairn.engine.txn;

import dev.cairn.api.CairnException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

/**
 * Group commit. A committer that needs its commit durable either leads a
 * sync, or waits for the one under way; a sync makes durable everything
 * applied before its barrier, so every commit that arrived while the
 * previous sync ran rides the next one together.
 *
 * <p>A finished sync settles exactly the waiters it made durable, and hands
 * the lead of the next sync to one more. Under load that saves the herd a
 * shared monitor would wake: with {@code notifyAll}, every waiter woke and
 * queued for the monitor, one context switch after another, and most only
 * learned that they had to wait again. A committer can also be enlisted by
 * whoever applied its commit ({@link #enlist}), so that it sleeps once,
 * until the sync settles it, instead of waking to learn it was applied and
 * sleeping again.
 *
 * <p>Locking: this object's monitor guards {@code durable}, {@code syncing},
 * {@code failure} and {@code waiting}; it is held for bookkeeping only,
 * never while syncing or settling. Callers may hold their own locks when
 * they call {@link #enlist} (the store's commit lock, taken before this
 * monitor), never when they call {@link #awaitDurable} or {@link #lead}.
 */
public final class GroupSync {

    /** Runs a sync and returns the commit sequence number it made durable. */
    @FunctionalInterface
    public interface Syncer {
        long syncAndReturnSequence();
    }

    /** What a sync tells a waiting commit. */
    public enum Outcome {
        /** The commit is durable. */
        DURABLE,
        /** The sync did not cover it, and its committer must lead the next one ({@link #lead}). */
        LEAD,
        /** The sync failed; {@link #awaitDurable} throws why. */
        FAILED
    }

    /** Called once, on the thread that ran the sync, outside any lock; must not block. */
    @FunctionalInterface
    public interface Settled {
        void settled(Outcome outcome);
    }

    /** How long a leader waits for commits still being applied to join its sync. */
    private static final long GATHER_NANOS = 200_000;

    private record Waiter(long seq, Settled then) {
    }

    /** A waiter's sequence for {@link #syncFromNow}: no sync under way covers it. */
    private static final long ANY_NEWER_SYNC = Long.MAX_VALUE;

    private final Syncer syncer;
    private final IntSupplier applying;
    private long durable;
    /** A sync is running or has been handed to a waiter that is about to run it. */
    private boolean syncing;
    private CairnException failure;
    /** Waiters in arrival order (not sequence order: a commit applied first may arrive here second). */
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();

    /**
     * @param applying how many commits are waiting to be applied or being
     *                 applied: the leader gives them a moment to finish, so
     *                 they ride its sync instead of the next one
     */
    public GroupSync(Syncer syncer, IntSupplier applying, long durable) {
        this.syncer = syncer;
        this.applying = applying;
        this.durable = durable;
    }

    /** Returns once commit {@code seq} is durable; throws when the sync that should have made it failed. */
    public void awaitDurable(long seq) {
        ParkedThread parked = new ParkedThread();
        synchronized (this) {
            if (durable >= seq) {
                return;
            }
            if (failure != null) {
                throw failure;
            }
            if (syncing) {
                waiting.add(new Waiter(seq, parked));
            } else {
                syncing = true;
                parked = null;
            }
        }
        if (parked != null) {
            Outcome o = parked.await();
            if (o == Outcome.DURABLE) {
                return;
            }
            if (o == Outcome.FAILED) {
                synchronized (this) {
                    throw failure;
                }
            }
        }
        lead(seq);
    }

    /**
     * Has {@code then} told what becomes of commit {@code seq} (applied, not
     * yet durable) when a sync is under way; its committer can sleep until
     * then. Returns false, and never calls {@code then}, when no sync is
     * under way: the committer must call {@link #awaitDurable} itself.
     */
    public boolean enlist(long seq, Settled then) {
        synchronized (this) {
            if (!syncing || durable >= seq || failure != null) {
                return false;
            }
            waiting.add(new Waiter(seq, then));
            return true;
        }
    }

    /**
     * Runs one sync that starts after this call, in turn with the group's
     * (an administrator's sync, or one that carries out a requested log
     * compression): it waits for the sync under way, if any, then leads the
     * next. Like any of the group's syncs it settles the commits it makes
     * durable, or tells them its failure, which says what they need to
     * know; a sync run outside the group's turn could carry a waiting commit
     * into a failed fsync, and that commit's own sync would then be refused
     * with only "read-only".
     */
    public void syncFromNow() {
        ParkedThread parked = new ParkedThread();
        synchronized (this) {
            if (failure != null) {
                throw failure;
            }
            if (syncing) {
                waiting.add(new Waiter(ANY_NEWER_SYNC, parked)); // never settled DURABLE: it leads one of its own
            } else {
                syncing = true;
                parked = null;
            }
        }
        if (parked != null && parked.await() == Outcome.FAILED) {
            synchronized (this) {
                throw failure;
            }
        }
        runAndHandOn();
    }

    /**
     * Runs syncs, this thread leading, until {@code seq} is durable; then
     * hands the lead on. For a committer told {@link Outcome#LEAD}, and
     * within {@link #awaitDurable}.
     */
    public void lead(long seq) {
        long made = runAndHandOn();
        if (made < seq) {
            // Applied but not yet in the tree this sync took: another turn.
            awaitDurable(seq);
        }
    }

    /** Runs one sync, this thread leading, settles the waiters it covered and hands the lead on; returns what it made durable. */
    private long runAndHandOn() {
        long gatherUntil = System.nanoTime() + GATHER_NANOS;
        while (applying.getAsInt() > 0 && System.nanoTime() < gatherUntil) {
            Thread.yield();
        }
        long made;
        try {
            made = syncer.syncAndReturnSequence();
        } catch (RuntimeException e) {
            // Whatever went wrong, the waiters must hear of it: a sync that
            // ends without settling them would leave them waiting for good.
            CairnException f = e instanceof CairnException ce ? ce
                    : new CairnException("sync failed: " + e, e);
            List<Waiter> failed;
            synchronized (this) {
                failure = f;
                syncing = false;
                failed = new ArrayList<>(waiting);
                waiting.clear();
            }
            failed.forEach(x -> x.then().settled(Outcome.FAILED));
            throw f;
        }
        List<Waiter> done = new ArrayList<>();
        Waiter next;
        synchronized (this) {
            durable = Math.max(durable, made);
            for (var it = waiting.iterator(); it.hasNext(); ) {
                Waiter x = it.next();
                if (x.seq() <= durable) {
                    done.add(x);
                    it.remove();
                }
            }
            next = waiting.pollFirst();
            syncing = next != null;
        }
        if (next != null) {
            next.then().settled(Outcome.LEAD); // first: the next sync is on the critical path
        }
        done.forEach(x -> x.then().settled(Outcome.DURABLE));
        return made;
    }

    public synchronized long durable() {
        return durable;
    }

    /** A thread in {@link #awaitDurable}, asleep until settled. */
    private static final class ParkedThread implements Settled {
        private final Thread thread = Thread.currentThread();
        private volatile Outcome outcome;

        @Override
        public void settled(Outcome o) {
            outcome = o;
            LockSupport.unpark(thread);
        }

        Outcome await() {
            boolean interrupted = false;
            Outcome o;
            while ((o = outcome) == null) {
                LockSupport.park(this);
                interrupted |= Thread.interrupted(); // else park returns at once, for good
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return o;
        }
    }
}
