package dev.cairn.engine.txn;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * First committer wins: remembers, per key, the sequence number of the last
 * commit that wrote it, for as long as some open transaction began before
 * that commit. Not thread safe: the store's commit lock guards it.
 */
public final class ConflictTracker {

    private final Map<ByteBuffer, Long> lastWrite = new HashMap<>();
    /** Begin sequence numbers of open transactions, with how many began at each. */
    private final TreeMap<Long, Integer> open = new TreeMap<>();

    public void began(long seq) {
        open.merge(seq, 1, Integer::sum);
    }

    public void ended(long seq) {
        open.computeIfPresent(seq, (k, n) -> n == 1 ? null : n - 1);
    }

    /** The first of {@code keys} that a commit after {@code beginSeq} wrote, or null. */
    public byte[] conflict(long beginSeq, Iterable<byte[]> keys) {
        for (byte[] k : keys) {
            Long w = lastWrite.get(ByteBuffer.wrap(k));
            if (w != null && w > beginSeq) {
                return k;
            }
        }
        return null;
    }

    public void committed(long seq, Iterable<byte[]> keys) {
        for (byte[] k : keys) {
            lastWrite.put(ByteBuffer.wrap(k.clone()), seq);
        }
        if (lastWrite.size() > 1024) {
            long oldest = open.isEmpty() ? Long.MAX_VALUE : open.firstKey();
            for (Iterator<Long> it = lastWrite.values().iterator(); it.hasNext(); ) {
                if (it.next() <= oldest) {
                    it.remove(); // no open transaction began before this write
                }
            }
        }
    }

    public int remembered() {
        return lastWrite.size();
    }
}
