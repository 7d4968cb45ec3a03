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

    private final Syncer syncer;
    private long durable;
    private boolean syncing;
    private CairnException failure;

    public GroupSync(Syncer syncer, long durable) {
        this.syncer = syncer;
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
            long made;
            try {
                made = syncer.syncAndReturnSequence();
            } catch (CairnException e) {
                synchronized (this) {
                    failure = e;
                    syncing = false;
                    notifyAll();
                }
                throw e;
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
