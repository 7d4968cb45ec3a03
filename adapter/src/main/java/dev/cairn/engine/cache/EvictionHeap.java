package dev.cairn.engine.cache;

/**
 * The evictable blocks (held by nobody, neither dirty nor queued), ordered
 * for LRU-2 as venti's dcache orders them: least recent second-to-last use
 * first, then least recent last use. A block touched once has no second use
 * and goes before every block touched twice; a freed block goes to the bottom.
 * Indexed, so a block that is held again leaves the heap in O(log n).
 */
final class EvictionHeap {

    private CachedBlock[] heap = new CachedBlock[64];
    private int size;

    private static boolean before(CachedBlock a, CachedBlock b) {
        return a.used2 != b.used2 ? a.used2 < b.used2 : a.used1 < b.used1;
    }

    void add(CachedBlock b) {
        if (size == heap.length) {
            heap = java.util.Arrays.copyOf(heap, size * 2);
        }
        heap[size] = b;
        b.heapIndex = size;
        size++;
        up(b.heapIndex);
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

    /** Re-sorts {@code b} after its use times changed. */
    void update(CachedBlock b) {
        if (b.heapIndex >= 0) {
            up(b.heapIndex);
            down(b.heapIndex);
        }
    }

    CachedBlock poll() {
        if (size == 0) {
            return null;
        }
        CachedBlock top = heap[0];
        remove(top);
        return top;
    }

    int size() {
        return size;
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
