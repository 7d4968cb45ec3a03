package dev.cairn.engine.epoch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Epoch-based reclamation (gefs {@code epochstart}/{@code epochend}/
 * {@code limbo}/{@code epochclean}). Every thread that touches blocks does so
 * between {@link #enter()} and {@link #exit()}. A freed block is
 * {@link #retire retired} with the epoch current at that moment and handed
 * on only once every thread still inside entered a later epoch: no thread
 * that could have seen the block is still looking.
 *
 * <p>Each thread inside occupies one slot holding the epoch it entered (0 for
 * a free slot). gefs scans a fixed set of worker slots (and once skipped the
 * last); here threads come and go, so a thread claims any free slot with a
 * compare-and-set and every slot is scanned. There are {@value #SLOTS}
 * slots: a 513th thread inside at once spins until one frees (a pool of
 * that many engine threads would be a misconfiguration long before).
 */
public final class Epochs {

    private static final int SLOTS = 512;

    private final AtomicLong global = new AtomicLong(1);
    private final AtomicLongArray slots = new AtomicLongArray(SLOTS);
    private final ConcurrentLinkedQueue<Retired> limbo = new ConcurrentLinkedQueue<>();
    private final AtomicLong inLimbo = new AtomicLong();
    private final ThreadLocal<int[]> mine = ThreadLocal.withInitial(() -> new int[] {-1, 0});
    /** Pins not tied to a thread (a transaction's snapshot), by token. */
    private final java.util.concurrent.ConcurrentHashMap<Long, Pin> pins = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong pinTokens = new AtomicLong();

    private record Retired(long epoch, Runnable action) {
    }

    /** The epoch a pin holds, and since when ({@link System#nanoTime}). */
    private record Pin(long epoch, long sinceNanos) {
    }

    /** Enters (re-entrantly) the current epoch. */
    public void enter() {
        int[] m = mine.get();
        if (m[1]++ > 0) {
            return;
        }
        int start = (int) (Thread.currentThread().getId() % SLOTS);
        while (true) {
            for (int i = 0; i < SLOTS; i++) {
                int s = (start + i) % SLOTS;
                if (slots.get(s) == 0 && slots.compareAndSet(s, 0, global.get())) {
                    m[0] = s;
                    return;
                }
            }
            Thread.onSpinWait();
        }
    }

    public void exit() {
        int[] m = mine.get();
        if (m[1] <= 0) {
            throw new IllegalStateException("exit without enter");
        }
        if (--m[1] == 0) {
            slots.set(m[0], 0);
            m[0] = -1;
        }
    }

    /**
     * Holds back reclamation like an entered epoch, but across threads and
     * calls, until {@link #unpin}: a transaction pins the snapshot it reads.
     */
    public long pin() {
        long token = pinTokens.incrementAndGet();
        pins.put(token, new Pin(global.get(), System.nanoTime()));
        return token;
    }

    public void unpin(long token) {
        pins.remove(token);
    }

    /** Runs {@code action} once no thread inside an epoch can still see what it frees. */
    public void retire(Runnable action) {
        limbo.add(new Retired(global.get(), action));
        inLimbo.incrementAndGet();
    }

    /**
     * Advances the epoch and runs the retired actions no active thread can
     * still be affected by. One caller at a time (the monitor): it alone
     * takes from the limbo.
     *
     * @return how many actions ran
     */
    public synchronized int clean() {
        long now = global.incrementAndGet();
        long oldestActive = now;
        for (int i = 0; i < SLOTS; i++) {
            long e = slots.get(i);
            if (e != 0 && e < oldestActive) {
                oldestActive = e;
            }
        }
        for (Pin p : pins.values()) {
            oldestActive = Math.min(oldestActive, p.epoch());
        }
        // The limbo is in retirement order, which is epoch order but for an
        // entry that trails one retired a moment later in a newer epoch. So
        // the walk stops at the first entry that must wait, and a trailing one
        // waits with the entry ahead of it: a snapshot pinned for long then
        // costs a clean nothing, where walking the whole limbo made every
        // sync slower than the last.
        List<Runnable> ready = new ArrayList<>();
        for (Retired r; (r = limbo.peek()) != null && r.epoch < oldestActive; ) {
            limbo.poll();
            ready.add(r.action);
        }
        inLimbo.addAndGet(-ready.size());
        ready.forEach(Runnable::run);
        return ready.size();
    }

    public long retiredWaiting() {
        return inLimbo.get();
    }

    /** Pins held now: open transactions and streams reading a snapshot. */
    public int pinCount() {
        return pins.size();
    }

    /**
     * How long the oldest pin has been held, 0 when none is: while it is,
     * nothing freed since it was taken can be reused, so a transaction left
     * open shows here first.
     */
    public long oldestPinNanos() {
        long now = System.nanoTime();
        long oldest = 0;
        for (Pin p : pins.values()) {
            oldest = Math.max(oldest, now - p.sinceNanos());
        }
        return oldest;
    }
}
