package dev.cairn.engine.tree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A pivot's buffered messages: at most one per key, read in key order.
 *
 * <p>Messages come in batches already in key order (a commit's writes, the
 * range a parent flushes down) but interleaved with what the buffer holds,
 * so a message that does not sort after the last one waits, in arrival
 * order, among the late ones; the first read sorts those (a batch in order
 * is one run, so this is a linear pass) and merges them in, a later message
 * for a key replacing an earlier one. Kept as a sorted tree map, each
 * message cost a descent on the way in and another on the way out: a bulk
 * commit moves a few thousand messages through pivot buffers, and that map
 * work was a sixth of its committing thread's CPU (about a twelfth now).
 *
 * <p>One thread at a time (the tree writer's, or a reader's private copy).
 */
final class MessageBuffer {

    /** In strictly ascending key order: {@code sorted[0..count)}. */
    private Msg[] sorted = new Msg[16];
    private int count;
    /** Packed bytes of {@code sorted[0..count)}. */
    private int sortedBytes;
    /** Messages not yet merged in, in arrival order. */
    private final List<Msg> late = new ArrayList<>();

    void add(Msg m) {
        if (late.isEmpty() && (count == 0 || Keys.ORDER.compare(sorted[count - 1].key(), m.key()) < 0)) {
            append(m);
        } else {
            late.add(m);
        }
    }

    /**
     * Fills the empty buffer with messages in strictly ascending key order
     * (a decoded block's).
     *
     * @throws IllegalArgumentException when they are not in that order
     */
    void load(List<Msg> ascending) {
        if (count != 0 || !late.isEmpty()) {
            throw new IllegalStateException("the buffer is not empty");
        }
        for (int i = 1; i < ascending.size(); i++) {
            if (Keys.ORDER.compare(ascending.get(i - 1).key(), ascending.get(i).key()) >= 0) {
                throw new IllegalArgumentException("buffered messages out of key order");
            }
        }
        ascending.forEach(this::append);
    }

    /** Packed bytes of the buffered messages, their offset slots included. */
    int bytes() {
        merge();
        return sortedBytes;
    }

    int size() {
        merge();
        return count;
    }

    boolean isEmpty() {
        return count == 0 && late.isEmpty();
    }

    /** Every message, in key order (a view, good until the buffer changes). */
    List<Msg> all() {
        merge();
        return Collections.unmodifiableList(Arrays.asList(sorted).subList(0, count));
    }

    /** The message for {@code key}, or null. */
    Msg get(byte[] key) {
        merge();
        int i = lowerBound(key);
        return i < count && Arrays.equals(sorted[i].key(), key) ? sorted[i] : null;
    }

    /** Removes and returns the message for {@code key}, or null. */
    Msg remove(byte[] key) {
        merge();
        int i = lowerBound(key);
        if (i == count || !Arrays.equals(sorted[i].key(), key)) {
            return null;
        }
        Msg m = sorted[i];
        sortedBytes -= m.packedSize();
        System.arraycopy(sorted, i + 1, sorted, i, count - i - 1);
        sorted[--count] = null;
        return m;
    }

    /**
     * The messages with keys in {@code [lo, hi)} in key order (a view, good
     * until the buffer changes); null bounds are open.
     */
    List<Msg> range(byte[] lo, byte[] hi) {
        merge();
        return Collections.unmodifiableList(Arrays.asList(sorted).subList(from(lo), to(hi)));
    }

    /** Removes and returns the messages with keys in {@code [lo, hi)}, in key order; null bounds are open. */
    List<Msg> take(byte[] lo, byte[] hi) {
        merge();
        int a = from(lo);
        int b = to(hi);
        List<Msg> out = new ArrayList<>(Arrays.asList(sorted).subList(a, b));
        for (Msg m : out) {
            sortedBytes -= m.packedSize();
        }
        System.arraycopy(sorted, b, sorted, a, count - b);
        Arrays.fill(sorted, count - (b - a), count, null);
        count -= b - a;
        return out;
    }

    private int from(byte[] lo) {
        return lo == null ? 0 : lowerBound(lo);
    }

    private int to(byte[] hi) {
        return hi == null ? count : lowerBound(hi);
    }

    /** The first index whose key is not below {@code key}. */
    private int lowerBound(byte[] key) {
        int lo = 0;
        int hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Keys.ORDER.compare(sorted[mid].key(), key) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private void append(Msg m) {
        if (count == sorted.length) {
            sorted = Arrays.copyOf(sorted, count * 2);
        }
        sorted[count++] = m;
        sortedBytes += m.packedSize();
    }

    /** Merges the late messages in; for a key, the last to arrive wins. */
    private void merge() {
        if (late.isEmpty()) {
            return;
        }
        late.sort((x, y) -> Keys.ORDER.compare(x.key(), y.key())); // stable: equal keys stay in arrival order
        Msg[] old = sorted;
        int oldCount = count;
        sorted = new Msg[Math.max(16, Integer.highestOneBit(oldCount + late.size()) * 2)];
        count = 0;
        sortedBytes = 0;
        int i = 0;
        int j = 0;
        while (i < oldCount || j < late.size()) {
            Msg next;
            if (j == late.size()) {
                next = old[i++];
            } else if (i == oldCount) {
                next = late.get(j++);
            } else {
                int c = Keys.ORDER.compare(old[i].key(), late.get(j).key());
                if (c < 0) {
                    next = old[i++];
                } else {
                    if (c == 0) {
                        i++; // the late one is newer
                    }
                    next = late.get(j++);
                }
            }
            if (count > 0 && Keys.ORDER.compare(sorted[count - 1].key(), next.key()) == 0) {
                sortedBytes -= sorted[count - 1].packedSize();
                sorted[count - 1] = next; // a later arrival for the same key
                sortedBytes += next.packedSize();
            } else {
                append(next);
            }
        }
        late.clear();
    }
}
