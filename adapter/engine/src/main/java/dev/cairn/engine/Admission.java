package dev.cairn.engine;

import dev.cairn.api.InvalidKeyException;
import dev.cairn.api.ValueTooLargeException;
import dev.cairn.api.WriteConflictException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether a transaction's writes may go in: each key and value within the
 * store's limits (checked as the write is made), and at commit or prepare no
 * key the transaction read committed since it began and no key it writes
 * held by a prepared transaction. Every refusal names the key and says that
 * nothing was written. Counts the conflicts it refuses, for the store's
 * figures.
 *
 * <p>The conflict checks at commit run under the store's commit lock, where
 * the conflict tracker and the prepared table are read; the write-time check
 * of a key read ({@link #checkWriteOfRead}) is advisory and takes no lock:
 * the commit checks again.
 */
final class Admission {

    private final Store store;
    private final StoreConfig config;
    private final AtomicLong conflicts = new AtomicLong();

    Admission(Store store, StoreConfig config) {
        this.store = store;
        this.config = config;
    }

    static void validateKey(byte[] key) {
        if (key == null || key.length == 0) {
            throw new InvalidKeyException("key is empty");
        }
        if (key.length > Store.MAX_KEY_BYTES) {
            throw new InvalidKeyException("key is " + key.length + " bytes, longer than the " + Store.MAX_KEY_BYTES + " allowed");
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

    long maxTransactionBytes() {
        return config.maxTransactionBytes();
    }

    /**
     * Throws when a key {@code t} read was committed since it began, or when
     * a key it writes is held by a prepared transaction (whose outcome
     * decides that key's value: a commit in between would be lost or
     * resurrected depending on it). Under the commit lock.
     */
    void checkWritesAllowed(Txn t, Set<byte[]> keys) {
        byte[] k = store.conflicts.conflict(t.snapshot().seq(), t.reads());
        if (k != null) {
            throw committedSinceBegin(k);
        }
        for (byte[] key : keys) {
            if (store.xa.holds(key)) {
                conflicts.incrementAndGet();
                throw new WriteConflictException("write conflict on key " + printable(key)
                        + ": a prepared transaction holds it until its outcome; nothing was written");
            }
        }
    }

    /**
     * Refuses {@code t}'s write of {@code key} when {@code t} read the key and
     * another transaction has committed it since {@code t} began: the commit
     * would fail on it, so the write fails now, where the caller can still
     * roll back and retry.
     */
    void checkWriteOfRead(Txn t, byte[] key) {
        if (t.reads().covers(key) && store.conflicts.writtenAfter(key, t.snapshot().seq())) {
            throw committedSinceBegin(key);
        }
    }

    /** The refusal of a transaction that read {@code key} after another committed it; counted. */
    WriteConflictException committedSinceBegin(byte[] key) {
        conflicts.incrementAndGet();
        return new WriteConflictException("write conflict on key " + printable(key)
                + ": this transaction read it, and another transaction committed a change to it after this one"
                + " began; nothing was written (retry the transaction)");
    }

    /** Conflicts refused since the store opened. */
    long conflictCount() {
        return conflicts.get();
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
}
