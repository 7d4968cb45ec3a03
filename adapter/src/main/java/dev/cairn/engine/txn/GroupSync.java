package dev.cairn.engine.txn;

import dev.cairn.engine.CairnException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.concurrent.locks.LockSupport;

/**
 * Group commit. A committer that needs its commit durable either leads a
 * sync, or waits for the one under way; a sync makes durable everything
 * applied before its barrier, so every commit that arrived while the
 * previous sync ran rides the next one together.
 *
 * <p>Each waiter sleeps on its own flag, and a finished sync wakes exactly
 * the waiters it made durable, plus one more to lead the next sync. Under
 * load that saves the herd a shared monitor would wake: with {@code
 * notifyAll}, every waiter woke and queued for the monitor, one context
 * switch after another, and most only learned that they had to wait again.
 *
 * <p>Locking: this object's monitor guards {@code durable}, {@code syncing},
 * {@code failure} and {@code waiting}; it is held for bookkeeping only,
 * never while syncing or waking. A waiter's outcome is published by its
 * volatile {@code state}, written last.
 */
public final class GroupSync {

    /** Runs a sync and returns the commit sequence number it made durable. */
    @FunctionalInterface
    public interface Syncer {
        long syncAndReturnSequence();
    }

    /** How long a leader waits for commits still being applied to join its sync. */
    private static final long GATHER_NANOS = 200_000;

    private static final int WAITING = 0;
    private static final int DURABLE = 1;
    private static final int LEAD = 2;
    private static final int FAILED = 3;

    private static final class Waiter {
        final Thread thread = Thread.currentThread();
        final long seq;
        volatile int state = WAITING;

        Waiter(long seq) {
            this.seq = seq;
        }
    }

    private final Syncer syncer;
    private final IntSupplier applying;
    private long durable;
    /** A sync is running or has been handed to a waiter that is about to run it. */
    private boolean syncing;
    private CairnException failure;
    /** Waiters in arrival order (not sequence order: a commit applied first may arrive here second). */
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();

    /**
     * @param applying how many commits are between entering commit and having
     *                 applied their writes: the leader gives them a moment to
     *                 finish, so they ride its sync instead of the next one
     */
    public GroupSync(Syncer syncer, IntSupplier applying, long durable) {
        this.syncer = syncer;
        this.applying = applying;
        this.durable = durable;
    }

    /** Returns once commit {@code seq} is durable; throws when the sync that should have made it failed. */
    public void awaitDurable(long seq) {
        Waiter w = null;
        synchronized (this) {
            if (durable >= seq) {
                return;
            }
            if (failure != null) {
                throw failure;
            }
            if (syncing) {
                w = new Waiter(seq);
                waiting.add(w);
            } else {
                syncing = true;
            }
        }
        if (w != null && sleepUntilSettled(w) == DURABLE) {
            return;
        }
        lead(seq);
    }

    /** Parks until a sync has settled {@code w}; throws if that sync failed. */
    private int sleepUntilSettled(Waiter w) {
        boolean interrupted = false;
        int s;
        while ((s = w.state) == WAITING) {
            LockSupport.park(this);
            interrupted |= Thread.interrupted(); // else park returns at once, for good
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (s == FAILED) {
            synchronized (this) {
                throw failure;
            }
        }
        return s;
    }

    /** Runs syncs, this thread leading, until {@code seq} is durable; then hands the lead on. */
    private void lead(long seq) {
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
            failed.forEach(x -> settle(x, FAILED));
            throw f;
        }
        List<Waiter> done = new ArrayList<>();
        Waiter next;
        synchronized (this) {
            durable = Math.max(durable, made);
            for (var it = waiting.iterator(); it.hasNext(); ) {
                Waiter x = it.next();
                if (x.seq <= durable) {
                    done.add(x);
                    it.remove();
                }
            }
            next = waiting.pollFirst();
            syncing = next != null;
        }
        if (next != null) {
            settle(next, LEAD); // first: the next sync is on the critical path
        }
        done.forEach(x -> settle(x, DURABLE));
        if (made < seq) {
            // Applied but not yet in the tree this sync took: another turn.
            awaitDurable(seq);
        }
    }

    private static void settle(Waiter w, int state) {
        w.state = state;
        LockSupport.unpark(w.thread);
    }

    public synchronized long durable() {
        return durable;
    }
}
