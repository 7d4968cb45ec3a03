package dev.cairn.engine.sync;

import dev.cairn.engine.cache.CachedBlock;
import java.util.Arrays;

/**
 * One syncer's queue: a bounded min-heap ordered by (qgen, op, addr), so all
 * work of a generation leaves before the next generation's, and a
 * generation's writes leave in address order (gefs {@code qput}/{@code qpop}).
 *
 * <p>Locking: the queue's monitor guards the heap and {@code running}; a
 * producer waits on it while the heap is full (back-pressure).
 */
final class SyncQueue {

    static final int OP_FENCE = 0;
    static final int OP_WRITE = 1;
    static final int OP_FREE = 2;

    record Entry(long qgen, int op, long addr, CachedBlock block) {
        int compareTo(Entry o) {
            if (qgen != o.qgen) {
                return Long.compare(qgen, o.qgen);
            }
            if (op != o.op) {
                return Integer.compare(op, o.op);
            }
            return Long.compare(addr, o.addr);
        }
    }

    private final Entry[] heap;
    private int size;
    /** A task is draining this queue. */
    private boolean running;

    SyncQueue(int capacity) {
        heap = new Entry[capacity];
    }

    /**
     * Adds an entry, waiting while the heap is full.
     *
     * @return true when no task is draining the queue and the caller must start one
     */
    synchronized boolean put(Entry e) {
        boolean interrupted = false;
        while (size == heap.length) {
            try {
                wait();
            } catch (InterruptedException ie) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (heap[parent].compareTo(e) <= 0) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = e;
        boolean start = !running;
        running = true;
        return start;
    }

    /** Takes the smallest entry; when empty, marks the queue idle and returns null. */
    synchronized Entry popOrIdle() {
        if (size == 0) {
            running = false;
            return null;
        }
        Entry top = heap[0];
        Entry last = heap[--size];
        heap[size] = null;
        if (size > 0) {
            int i = 0;
            while (true) {
                int l = 2 * i + 1;
                int r = l + 1;
                int m = i;
                Entry mv = last;
                if (l < size && heap[l].compareTo(mv) < 0) {
                    m = l;
                    mv = heap[l];
                }
                if (r < size && heap[r].compareTo(mv) < 0) {
                    m = r;
                }
                if (m == i) {
                    break;
                }
                heap[i] = heap[m];
                i = m;
            }
            heap[i] = last;
        }
        notifyAll();
        return top;
    }

    /** Marks the queue idle after its task could not be started. */
    synchronized void abandon() {
        running = false;
    }

    synchronized int size() {
        return size;
    }

    @Override
    public synchronized String toString() {
        return "SyncQueue" + Arrays.toString(Arrays.copyOf(heap, size));
    }
}
