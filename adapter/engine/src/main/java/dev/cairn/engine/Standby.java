package dev.cairn.engine;

import dev.cairn.api.InvalidStreamException;
import dev.cairn.api.ReadOnlyStoreException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether the store is a standby: a copy that a primary feeds with snapshot
 * streams. A standby serves reads and refuses every other write with a
 * {@link ReadOnlyStoreException} naming its primary; only the writes of
 * {@link Store#receiving()} (which apply the primary's streams) go in. It
 * keeps how far behind its primary it is. Promoting it makes it a store like
 * any other. Thread safe: the feed writes what it received, readers of the
 * figures read it.
 */
public final class Standby {

    /** Written under the store's commit lock, so a receive's commit and a promotion are ordered. */
    private volatile String primary;
    private final Object commitLock;
    private volatile long receivedTakenAtMillis = -1;
    private volatile String lastFailure;
    private final AtomicLong receives = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    Standby(Object commitLock) {
        this.commitLock = commitLock;
    }

    /** Makes the store a standby of {@code primary} (a name for messages: its URL, say). */
    public void follow(String primary) {
        synchronized (commitLock) {
            this.primary = primary;
        }
    }

    /** Makes the store writable again: it no longer follows a primary. */
    public void promote() {
        synchronized (commitLock) {
            primary = null;
        }
    }

    /** The primary this store follows, or null when it is not a standby. */
    public String primary() {
        return primary;
    }

    /** A stream was received whose snapshot the primary took at {@code takenAtMillis}. */
    public void received(long takenAtMillis) {
        receivedTakenAtMillis = takenAtMillis;
        receives.incrementAndGet();
    }

    /** A feed from the primary failed, for {@code why}. */
    public void failed(String why) {
        lastFailure = why;
        failures.incrementAndGet();
    }

    /** Seconds between the primary's taking of the newest snapshot received and {@code nowMillis}; -1 before any. */
    public long lagSeconds(long nowMillis) {
        long at = receivedTakenAtMillis;
        return at < 0 ? -1 : Math.max(0, (nowMillis - at) / 1000);
    }

    public long receives() {
        return receives.get();
    }

    public long failures() {
        return failures.get();
    }

    /** Why the last feed failed, or null. */
    public String lastFailure() {
        return lastFailure;
    }

    /**
     * Refuses a receive begun while following {@code from} (null: not a
     * standby then) once the store follows another or none: a promoted store
     * takes no more of its old primary's changes. Checked again under the
     * commit lock when the receive commits.
     */
    void checkStillFollowing(String from) {
        if (from != null && !from.equals(primary)) {
            throw new InvalidStreamException("this store stopped following " + from
                    + " while a stream from it was received; the stream was not applied");
        }
    }

    /** Throws, naming the primary, when this store is a standby. */
    public void checkWrite() {
        String p = primary;
        if (p != null) {
            throw new ReadOnlyStoreException("this store is a standby of " + p + ": it takes writes only from its"
                    + " primary's snapshot streams (promote it to write to it)");
        }
    }
}
