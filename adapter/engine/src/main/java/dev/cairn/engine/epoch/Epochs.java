package dev.cairn.engine.epoch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>A transaction's snapshot outlives any one thread's stay inside, so it
 * {@link #pin pins} instead; and since it reads one version only, it holds
 * back only what that version can reach: a block is retired with the
 * generation it was born in, and a pin {@link #narrow narrowed} to its
 * snapshot's generation does not hold a block born after it. So a
 * transaction left open keeps the blocks of its own version from reuse, as
 * it must, but not the ones later commits write and replace (holding those
 * too made every commit write to fresh file space while a reader was open,
 * and cost a third to two thirds of single-put commits a second).
 *
 * <p>Each thread inside occupies one slot holding the epoch it entered (0 for
 * a free slot). gefs scans a fixed set of worker slots (and once skipped the
 * last); here threads come and go, so a thread claims any free slot with a
 * compare-and-set and every slot is scanned. There are {@value #SLOTS}
 * slots: a 513th thread inside at once spins until one frees (a pool of
 * that many engine threads would be a misconfiguration long before).
 */
public final class Epochs {

    /** As a retired block's birth: not known, so any pin may see it. */
    public static final long BORN_ANY_TIME = Long.MIN_VALUE;

    private static final int SLOTS = 512;

    private final AtomicLong global = new AtomicLong(1);
    private final AtomicLongArray slots = new AtomicLongArray(SLOTS);
    /** Retired, in retirement order; waits for threads inside, then pins. */
    private final ConcurrentLinkedQueue<Retired> limbo = new ConcurrentLinkedQueue<>();
    /**
     * Retired entries past every thread, each waiting for one pin that sees
     * it (the newest such pin when it was last looked at), by that pin's
     * token. Only {@link #clean} touches it (under the monitor).
     */
    private final Map<Long, List<Retired>> heldByPin = new HashMap<>();
    private final AtomicLong inLimbo = new AtomicLong();
    private final ThreadLocal<int[]> mine = ThreadLocal.withInitial(() -> new int[] {-1, 0});
    /** Pins not tied to a thread (a transaction's snapshot), by token. */
    private final ConcurrentHashMap<Long, Pin> pins = new ConcurrentHashMap<>();
    private final AtomicLong pinTokens = new AtomicLong();

    private record Retired(long epoch, long born, Runnable action) {
    }

    /**
     * The epoch a pin was taken in, since when ({@link System#nanoTime}),
     * and the newest birth generation its reader can reach: unbounded until
     * {@link #narrow}, and only ever lowered.
     */
    private static final class Pin {
        final long epoch;
        final long sinceNanos;
        volatile long newestBirth = Long.MAX_VALUE;
        /**
         * Narrowed since {@link #clean} last filed entries under it: they may
         * no longer be its to hold. Set after {@code newestBirth} is lowered,
         * so a clean that sees it set also sees the lower bound.
         */
        volatile boolean narrowedSinceFiling;

        Pin(long epoch, long sinceNanos) {
            this.epoch = epoch;
            this.sinceNanos = sinceNanos;
        }

        /** Whether this pin holds back a block born in {@code born}, retired in epoch {@code retiredIn}. */
        boolean holds(long retiredIn, long born) {
            return epoch <= retiredIn && born <= newestBirth;
        }
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

    /**
     * Tells the pin {@code token} that its reader reaches only blocks born in
     * generation {@code newestBirth} or before: the generation of the root it
     * reads (copy-on-write writes a node's children before the node). The pin
     * then no longer holds back blocks born later. Call it after reading the
     * root, never with a lower generation than the root's.
     */
    public void narrow(long token, long newestBirth) {
        Pin p = pins.get(token);
        if (p != null && newestBirth < p.newestBirth) {
            p.newestBirth = newestBirth;
            p.narrowedSinceFiling = true;
        }
    }

    public void unpin(long token) {
        pins.remove(token);
    }

    /**
     * Runs {@code action} once no thread inside an epoch, and no pin that
     * may reach a block born in generation {@code born}, can still see what
     * it frees ({@link #BORN_ANY_TIME} when that is not known).
     */
    public void retire(long born, Runnable action) {
        limbo.add(new Retired(global.get(), born, action));
        inLimbo.incrementAndGet();
    }

    /**
     * Advances the epoch and runs the retired actions no thread inside and
     * no pin can still be affected by. One caller at a time (the monitor):
     * it alone takes from the limbo and touches {@link #heldByPin}.
     *
     * <p>The cost stays with what is released or newly held, not with what
     * waits: the limbo is in retirement order (epoch order but for an entry
     * that trails one retired a moment later in a newer epoch), so its walk
     * stops at the first entry a thread inside may see, and a trailing one
     * waits with the entry ahead of it. An entry past the threads that a pin
     * sees goes to that pin's list and is looked at again only when that pin
     * is gone or has been narrowed since (a pin is narrowed once, right after
     * it is taken, but a clean in between files everything under it).
     * (Walking every waiting entry made every sync slower than the last while
     * a snapshot stayed pinned.)
     *
     * @return how many actions ran
     */
    public synchronized int clean() {
        long now = global.incrementAndGet();
        long oldestInside = now;
        for (int i = 0; i < SLOTS; i++) {
            long e = slots.get(i);
            if (e != 0 && e < oldestInside) {
                oldestInside = e;
            }
        }
        List<Pin> open = new ArrayList<>(pins.size());
        List<Long> tokens = new ArrayList<>(pins.size());
        pins.forEach((token, pin) -> {
            tokens.add(token);
            open.add(pin);
        });
        List<Retired> released = new ArrayList<>();
        for (var it = heldByPin.entrySet().iterator(); it.hasNext(); ) {
            var held = it.next();
            Pin p = pins.get(held.getKey());
            if (p == null || p.narrowedSinceFiling) {
                if (p != null) {
                    p.narrowedSinceFiling = false; // before placing: a narrowing from now on is seen next time
                }
                it.remove();
                released.addAll(held.getValue());
            }
        }
        List<Runnable> ready = new ArrayList<>();
        released.forEach(r -> placeOrRun(r, open, tokens, ready));
        for (Retired r; (r = limbo.peek()) != null && r.epoch < oldestInside; ) {
            limbo.poll();
            placeOrRun(r, open, tokens, ready);
        }
        inLimbo.addAndGet(-ready.size());
        ready.forEach(Runnable::run);
        return ready.size();
    }

    /**
     * Files {@code r} under the newest open pin that holds it (tokens grow
     * with time; the newest is likely the first to go), or makes it ready
     * when none does.
     */
    private void placeOrRun(Retired r, List<Pin> open, List<Long> tokens, List<Runnable> ready) {
        int holder = -1;
        for (int i = 0; i < open.size(); i++) {
            if (open.get(i).holds(r.epoch, r.born) && (holder < 0 || tokens.get(i) > tokens.get(holder))) {
                holder = i;
            }
        }
        if (holder < 0) {
            ready.add(r.action);
        } else {
            heldByPin.computeIfAbsent(tokens.get(holder), t -> new ArrayList<>()).add(r);
        }
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
     * the blocks of its version freed since it was taken cannot be reused,
     * so a transaction left open shows here first.
     */
    public long oldestPinNanos() {
        long now = System.nanoTime();
        long oldest = 0;
        for (Pin p : pins.values()) {
            oldest = Math.max(oldest, now - p.sinceNanos);
        }
        return oldest;
    }
}
