package dev.cairn.engine.txn;

import dev.cairn.engine.tree.Keys;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * What a transaction read from its snapshot: the keys it looked up and the
 * ranges it scanned. A commit conflicts only with commits, made after the
 * transaction began, of something in here: a transaction that wrote a key
 * without reading it has nothing to protect, and two such writes are both
 * valid in either order (the later commit wins).
 *
 * <p>A transaction that reads a great many keys does not keep them all:
 * past {@link #MAX_KEYS} the set counts as having read everything, so any
 * commit since the transaction began conflicts with its writes. That is
 * safe (it can only refuse more) and bounds the memory a long reader takes.
 * Not thread safe: it belongs to its transaction's thread.
 */
public final class ReadSet {

    /** Keys kept before the set stands for everything. */
    static final int MAX_KEYS = 1 << 16;

    private final TreeSet<byte[]> keys = new TreeSet<>(Keys.ORDER);
    /** Scanned ranges, {from, to}; to is null for an open end. */
    private final List<byte[][]> ranges = new ArrayList<>();
    private boolean everything;

    /** Records a read of {@code key}; the array is copied. */
    public void key(byte[] key) {
        if (everything) {
            return;
        }
        keys.add(key.clone());
        overflowCheck();
    }

    /** Records a scan of {@code [from, to)}; {@code to} null: to the end. */
    public void range(byte[] from, byte[] to) {
        if (everything) {
            return;
        }
        ranges.add(new byte[][] {from.clone(), to == null ? null : to.clone()});
        overflowCheck();
    }

    private void overflowCheck() {
        if (keys.size() + ranges.size() > MAX_KEYS) {
            everything = true;
            keys.clear();
            ranges.clear();
        }
    }

    public boolean isEmpty() {
        return !everything && keys.isEmpty() && ranges.isEmpty();
    }

    /** Whether the set stands for every key (it overflowed). */
    public boolean everything() {
        return everything;
    }

    public boolean hasRanges() {
        return !ranges.isEmpty();
    }

    public Iterable<byte[]> keys() {
        return keys;
    }

    /** Whether {@code key} was read, directly or within a scanned range. */
    public boolean covers(byte[] key) {
        if (everything || keys.contains(key)) {
            return true;
        }
        for (byte[][] r : ranges) {
            if (Keys.ORDER.compare(key, r[0]) >= 0 && (r[1] == null || Keys.ORDER.compare(key, r[1]) < 0)) {
                return true;
            }
        }
        return false;
    }

    /** The first key of {@code written} (in key order) that this set covers, or null. */
    public byte[] firstCovered(SortedMap<byte[], ?> written) {
        if (written.isEmpty()) {
            return null;
        }
        if (everything) {
            return written.firstKey();
        }
        byte[] first = null;
        for (byte[] k : keys) { // in key order: the first found is the least
            if (written.containsKey(k)) {
                first = k;
                break;
            }
        }
        for (byte[][] r : ranges) {
            SortedMap<byte[], ?> in = r[1] == null ? written.tailMap(r[0]) : written.subMap(r[0], r[1]);
            if (!in.isEmpty() && (first == null || Keys.ORDER.compare(in.firstKey(), first) < 0)) {
                first = in.firstKey();
            }
        }
        return first;
    }
}
