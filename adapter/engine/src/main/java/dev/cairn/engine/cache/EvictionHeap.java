package dev.cairn.engine.cache;

import java.util.Arrays;

/**
 * The evictable blocks (held by nobody, neither dirty nor queued), ordered
 * for LRU-2 as venti's dcache orders them: least recent second-to-last use
 * first, then least recent last use. A block touched once has no second use
 * and goes before every block touched twice; a freed block goes to the bottom.
 *
 * <p>Lazy: a block that is held again stays in the heap, under the use times
 * it had when it went in, and {@link #poll} sorts it out when it comes to the
 * top (held: it leaves; used since: it goes back in under its new times).
 * Use times only grow, so the top, once it is neither, is the true least
 * recently used evictable block. Why: a read holds and releases every node
 * on its path, the root and the pivots most of all, and taking each out of
 * the heap and putting it back cost two walks of the heap a read (a fifth of
 * a warm point read's time in a profile); now a read touches the heap only
 * for blocks nobody held since they last went in. A block whose use times
 * fall (a freed one) is re-sorted at once ({@link #update}).
 */
final class EvictionHeap {

    private CachedBlock[] heap = new CachedBlock[64];
    private int size;

    private static boolean before(CachedBlock a, CachedBlock b) {
        return a.heapUsed2 != b.heapUsed2 ? a.heapUsed2 < b.heapUsed2 : a.heapUsed1 < b.heapUsed1;
    }

    /** Puts in a block that became evictable; one still in the heap is re-sorted under its use times. */
    void add(CachedBlock b) {
        if (b.heapIndex >= 0) {
            update(b);
            return;
        }
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        b.heapUsed1 = b.used1;
        b.heapUsed2 = b.used2;
        heap[size] = b;
        b.heapIndex = size;
        size++;
        up(b.heapIndex);
    }

    boolean contains(CachedBlock b) {
        return b.heapIndex >= 0;
    }

    void remove(CachedBlock b) {
        int i = b.heapIndex;
        if (i < 0) {
            return;
        }
        CachedBlock last = heap[--size];
        heap[size] = null;
        b.heapIndex = -1;
        if (i < size) {
            heap[i] = last;
            last.heapIndex = i;
            up(i);
            down(last.heapIndex);
        }
    }

    /** Re-sorts {@code b}, if in the heap, under its current use times (which may have fallen). */
    void update(CachedBlock b) {
        if (b.heapIndex >= 0) {
            b.heapUsed1 = b.used1;
            b.heapUsed2 = b.used2;
            up(b.heapIndex);
            down(b.heapIndex);
        }
    }

    /**
     * Takes out the least recently used block that nobody holds, or returns
     * null when there is none. Blocks held since they went in leave the heap
     * on the way (their release puts them back).
     */
    CachedBlock poll() {
        while (size > 0) {
            CachedBlock top = heap[0];
            if (top.ref > 0) {
                remove(top);
            } else if (top.heapUsed1 != top.used1 || top.heapUsed2 != top.used2) {
                top.heapUsed1 = top.used1;
                top.heapUsed2 = top.used2;
                down(0);
            } else {
                remove(top);
                return top;
            }
        }
        return null;
    }

    private void up(int i) {
        CachedBlock b = heap[i];
        while (i > 0) {
            int p = (i - 1) / 2;
            if (!before(b, heap[p])) {
                break;
            }
            heap[i] = heap[p];
            heap[i].heapIndex = i;
            i = p;
        }
        heap[i] = b;
        b.heapIndex = i;
    }

    private void down(int i) {
        CachedBlock b = heap[i];
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                break;
            }
            int c = l + 1 < size && before(heap[l + 1], heap[l]) ? l + 1 : l;
            if (!before(heap[c], b)) {
                break;
            }
            heap[i] = heap[c];
            heap[i].heapIndex = i;
            i = c;
        }
        heap[i] = b;
        b.heapIndex = i;
    }
}
