package dev.cairn.engine.txn;

import dev.cairn.engine.CairnException;
import java.util.function.LongSupplier;

/**
 * Group commit. A committer that needs its commit durable either leads a
 * sync, or waits for the one under way; a sync makes durable everything
 * applied before its barrier, so every commit that arrived while the
 * previous sync ran rides the next one together.
 *
 * <p>Locking: this object's monitor guards {@code durable}, {@code syncing}
 * and {@code failure}; the sync itself runs outside it.
 */
public final class GroupSync {

    /** Runs a sync and returns the commit sequence number it made durable. */
    @FunctionalInterface
    public interface Syncer {
        long syncAndReturnSequence();
    }

    /** How long a leader waits for commits still being applied to join its sync. */
    private static final long GATHER_NANOS = 200_000;

    private final Syncer syncer;
    private final java.util.function.IntSupplier applying;
    private long durable;
    private boolean syncing;
    private CairnException failure;

    /**
     * @param applying how many commits are between entering commit and having
     *                 applied their writes: the leader gives them a moment to
     *                 finish, so they ride its sync instead of the next one
     */
    public GroupSync(Syncer syncer, java.util.function.IntSupplier applying, long durable) {
        this.syncer = syncer;
        this.applying = applying;
        this.durable = durable;
    }

    /** Returns once commit {@code seq} is durable; throws when the sync that should have made it failed. */
    public void awaitDurable(long seq) {
        while (true) {
            synchronized (this) {
                boolean interrupted = false;
                while (durable < seq && syncing && failure == null) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                if (durable >= seq) {
                    return;
                }
                if (failure != null) {
                    throw failure;
                }
                syncing = true;
            }
            long gatherUntil = System.nanoTime() + GATHER_NANOS;
            while (applying.getAsInt() > 0 && System.nanoTime() < gatherUntil) {
                Thread.yield();
            }
            long made;
            try {
                made = syncer.syncAndReturnSequence();
            } catch (RuntimeException e) {
                // Whatever went wrong, the waiters must hear of it: a sync that
                // ends without clearing `syncing` would leave them waiting for good.
                CairnException f = e instanceof CairnException ce ? ce
                        : new CairnException("sync failed: " + e, e);
                synchronized (this) {
                    failure = f;
                    syncing = false;
                    notifyAll();
                }
                throw f;
            }
            synchronized (this) {
                durable = Math.max(durable, made);
                syncing = false;
                notifyAll();
            }
        }
    }

    public synchronized long durable() {
        return durable;
    }
}
