package dev.cairn.engine.sync;

import dev.cairn.engine.cache.CachedBlock;
import java.util.Arrays;

/**
 * One syncer's queue: a bounded min-heap ordered by (qgen, op, addr), so all
 * work of a generation leaves before the next generation's, and a
 * generation's writes leave in address order (gefs {@code qput}/{@code qpop}).
 *
 * <p>Locking: the queue's monitor guards the heap and the drainer's state
 * ({@code running}, {@code starting}, {@code lingering}, {@code relieved},
 * {@code stale}); a producer waits on it while the heap is full
 * (back-pressure).
 *
 * <p>Who drains: at most one party at a time, either a task that
 * {@link #put} asked the caller to start, or a barrier that
 * {@link #putClaiming claimed} the queue. A barrier claims it when no task
 * drains it, when the task only lingers, and when the task has been handed to
 * a thread that has not begun yet: waiting for a thread to wake up costs a
 * one-put commit more than the write it would do. A task claimed before it
 * began leaves at {@link #begin}.
 *
 * <p>Not every entry starts a task. A write queued for the barrier its
 * caller runs next (a sync's deferred roots) starts none, and a release
 * (which holds no cache buffer) starts one only when another entry waits
 * with it: otherwise the next barrier, which every sync passes, does them.
 * A one-put commit queues one of each, and waking a thread for each (a
 * futex wake, and on this virtual machine an interrupt to the other core)
 * was a tenth of its CPU, for work the barrier does in microseconds. Any
 * other write starts a task at once: a queued block cannot be evicted, and
 * its writer may need a cache buffer before it reaches any barrier. An idle
 * queue so holds at most one release and the few roots of one sync, far
 * from its capacity, so a producer never waits on a full queue that nobody
 * drains.
 */
final class SyncQueue {

    static final int OP_FENCE = 0;
    static final int OP_WRITE = 1;
    static final int OP_FREE = 2;

    record Entry(long qgen, int op, long addr, CachedBlock block, long hash) {
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
    /** A task or a barrier is draining this queue (or a task was started to). */
    private boolean running;
    /** The task started to drain has not reached {@link #begin} yet. */
    private boolean starting;
    /** Tasks started but claimed by a barrier before they began; that many must leave at {@link #begin}. */
    private int stale;
    /** The draining task is waiting for entries, with nothing in hand. */
    private boolean lingering;
    /** A barrier took the queue over from the lingering task, which must leave. */
    private boolean relieved;

    /** What {@link #pollWithin} returns to a task whose queue was taken over. */
    static final Entry RELIEVED = new Entry(-1, -1, -1, null, 0);

    SyncQueue(int capacity) {
        heap = new Entry[capacity];
    }

    /**
     * Adds an entry, waiting while the heap is full.
     *
     * @param startAt how many entries a queue no task drains must hold for
     *                this one to start a task ({@link Integer#MAX_VALUE}: never)
     * @return true when the caller must start a task
     */
    synchronized boolean put(Entry e, int startAt) {
        insert(e);
        boolean start = !running && size >= startAt;
        running |= start;
        starting |= start;
        return start;
    }

    private void insert(Entry e) {
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
        notifyAll(); // a lingering drainer may be waiting for work
    }

    /**
     * Called by a started task before it touches the queue.
     *
     * @return false when a barrier claimed the queue before the task began;
     *         the task must then leave without touching the queue
     */
    synchronized boolean begin() {
        if (stale > 0) {
            stale--;
            return false;
        }
        starting = false;
        return true;
    }

    /** Takes the smallest entry; when empty, marks the queue idle and returns null. */
    synchronized Entry popOrIdle() {
        if (size == 0) {
            running = false;
            return null;
        }
        return pop();
    }

    /** Takes the smallest entry, or returns null when empty; the queue stays marked running. */
    synchronized Entry poll() {
        return size == 0 ? null : pop();
    }

    /**
     * Like {@link #poll}, but waits up to {@code nanos} for an entry to
     * arrive; returns {@link #RELIEVED} when a barrier took the queue over
     * meanwhile, and then the caller must return without touching the queue.
     */
    synchronized Entry pollWithin(long nanos) {
        long deadline = System.nanoTime() + nanos;
        long left = nanos;
        lingering = true;
        try {
            while (size == 0 && !relieved && left > 0) {
                try {
                    wait(left / 1_000_000, (int) (left % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                left = deadline - System.nanoTime();
            }
            if (relieved) {
                relieved = false;
                return RELIEVED;
            }
            return poll();
        } finally {
            lingering = false;
        }
    }

    /**
     * Adds an entry and claims the draining when no task drains the queue,
     * when the one that does is only lingering (it is relieved and leaves),
     * or when it has not begun (it leaves when it does).
     *
     * @return true when the caller now drains the queue
     */
    synchronized boolean putClaiming(Entry e) {
        insert(e);
        if (!running) {
            running = true;
            return true;
        }
        if (starting) {
            starting = false;
            stale++;
            return true;
        }
        if (lingering && !relieved) {
            relieved = true;
            notifyAll();
            return true;
        }
        return false;
    }

    private Entry pop() {
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

    /**
     * Ends a barrier's inline drain at its fence: marks the queue idle when it
     * is empty; otherwise keeps it running for a task the caller must start
     * (as {@link #put} would have asked for).
     *
     * @return true when the caller must start a task
     */
    synchronized boolean handOff() {
        if (size == 0) {
            running = false;
            return false;
        }
        starting = true;
        return true;
    }

    /** Marks the queue idle after its task could not be started. */
    synchronized void abandon() {
        running = false;
        starting = false;
    }

    synchronized int size() {
        return size;
    }

    @Override
    public synchronized String toString() {
        return "SyncQueue" + Arrays.toString(Arrays.copyOf(heap, size));
    }
}
