package dev.cairn.engine.txn;

import java.util.TreeMap;

/**
 * Validates what a committing transaction read: remembers, per key, the
 * sequence number of the last commit that wrote it, for as long as some open transaction began before
 * that commit. Thread safe: its own monitor guards it, so beginning a
 * transaction never waits for a commit to finish applying.
 */
public final class ConflictTracker {

    private final KeySeqMap lastWrite = new KeySeqMap();
    /** Begin sequence numbers of open transactions, with how many began at each. */
    private final TreeMap<Long, Integer> open = new TreeMap<>();
    private static final int MIN_SWEEP = 1024;
    /** Entries past which a commit sweeps out what no transaction needs. */
    private int sweepAbove = MIN_SWEEP;
    private long sweeps;

    /** Every entry of a commit up to this one may have been forgotten. */
    private long sweptThrough = Long.MIN_VALUE;

    /**
     * Registers a transaction beginning at {@code seq}, if every commit after
     * {@code seq} is still remembered. It may not be: between reading the
     * durable state and calling this, a sync can make a later state durable
     * and a commit then sweep past {@code seq}, since no open transaction
     * held it back. The caller then begins again from the newer durable state
     * (the swept entries are of commits it sees); registering anyway would let
     * it overwrite those commits' writes unseen.
     *
     * @return false, registering nothing, when commits after {@code seq} were forgotten
     */
    public synchronized boolean began(long seq) {
        if (sweptThrough > seq) {
            return false;
        }
        open.merge(seq, 1, Integer::sum);
        return true;
    }

    public synchronized void ended(long seq) {
        open.computeIfPresent(seq, (k, n) -> n == 1 ? null : n - 1);
    }

    /**
     * A key that {@code reads} covers and that a commit after {@code beginSeq}
     * wrote, or null: then what the transaction read is still what the store
     * holds, and its writes may follow every commit made since it began.
     */
    public synchronized byte[] conflict(long beginSeq, ReadSet reads) {
        for (byte[] k : reads.keys()) {
            long w = lastWrite.get(k);
            if (w != KeySeqMap.ABSENT && w > beginSeq) {
                return k;
            }
        }
        if (reads.everything() || reads.hasRanges()) {
            return lastWrite.anyAfter(beginSeq, reads::covers);
        }
        return null;
    }

    /** Whether a commit after {@code beginSeq} wrote {@code key}. */
    public synchronized boolean writtenAfter(byte[] key, long beginSeq) {
        long w = lastWrite.get(key);
        return w != KeySeqMap.ABSENT && w > beginSeq;
    }

    /**
     * Records that commit {@code seq} wrote {@code keys}, keeping the arrays
     * themselves: callers pass keys nothing modifies afterwards (a
     * transaction's own copies). An entry is forgotten only once no
     * transaction can begin before it: none open began earlier, and
     * {@code durableSeq} (where every new transaction begins) has reached it;
     * a commit applied but not yet durable stays remembered.
     */
    public synchronized void committed(long seq, Iterable<byte[]> keys, long durableSeq) {
        for (byte[] k : keys) {
            lastWrite.put(k, seq);
        }
        if (lastWrite.size() > sweepAbove) {
            // Every transaction, open or to come, sees the writes up to the oldest.
            long through = Math.min(durableSeq, open.isEmpty() ? Long.MAX_VALUE : open.firstKey());
            lastWrite.removeUpTo(through);
            sweptThrough = Math.max(sweptThrough, through);
            // What a sweep could not forget is swept again only once as much
            // again has come, so a commit does not pay for a sweep of entries
            // still needed, commit after commit.
            sweepAbove = Math.max(MIN_SWEEP, 2 * lastWrite.size());
            sweeps++;
        }
    }

    /** How many sweeps commits have made (for tests of the amortization). */
    synchronized long sweeps() {
        return sweeps;
    }

    public synchronized int remembered() {
        return lastWrite.size();
    }
}
