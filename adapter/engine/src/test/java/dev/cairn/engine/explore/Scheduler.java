package dev.cairn.engine.explore;

import dev.cairn.engine.work.Workers;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded scheduler that lets one of its threads run at a time. Each thread
 * (a committer of the test, or a task the engine starts through
 * {@link Workers}) stops at every scheduling point: its start, and every
 * write and force of the disk ({@link ScheduledChannel}). When every thread
 * is stopped at a point, blocked inside the engine (a lock, a monitor, a
 * park) or finished, the seeded RNG picks one stopped thread to run on.
 *
 * <p>So the interleaving at the disk's boundaries is chosen by the seed.
 * It is reproducible as long as the engine wakes no second thread between
 * two points in a way the scheduler sees too late (a thread woken by an
 * unpark still shows as waiting until the OS runs it); the quiescence test
 * asks twice, a moment apart, to keep that rare. Whatever the interleaving,
 * the recorded trace is a real one, so every crash state built from it is a
 * valid test.
 */
final class Scheduler implements Workers {

    private final Random rnd;
    private final Object lock = new Object();
    private final List<Managed> threads = new ArrayList<>();
    private final ThreadLocal<Managed> current = new ThreadLocal<>();
    /** Points reached and threads finished: a change between two looks means something ran. */
    private long arrivals;
    private volatile boolean stopped;
    private int decisions;
    private final boolean prioritized;
    /** One decision in this many, on average, is a change point (8 to 40, by seed). */
    private final int changeEvery;
    /** The lowest priority given so far: a demoted thread goes below it. */
    private double lowest;

    private static final class Managed {
        final String name;
        Thread thread;
        boolean atPoint;
        boolean permitted;
        boolean done;
        /** Under {@link #prioritized}: the ready thread with the highest runs. */
        double priority;
        /** Times it has left a point: the scheduler's proof that its pick ran, even if it is at the next point already. */
        long passes;

        Managed(String name) {
            this.name = name;
        }
    }

    /** Prioritized, unless {@code -Dexplore.uniform=true}. */
    Scheduler(long seed) {
        this(seed, !Boolean.getBoolean("explore.uniform"));
    }

    /**
     * @param prioritized pick by priority (PCT, probabilistic concurrency
     *                    testing) rather than uniformly: each thread gets a
     *                    random priority when it starts, the highest ready
     *                    thread runs, and at a few random decisions the one
     *                    picked drops below every other. So a thread can stay
     *                    stopped at one point (a syncer before the write of a
     *                    batch it gathered, a sync before its force) while
     *                    the others run many steps, which a uniform pick
     *                    among a handful of threads almost never does.
     */
    Scheduler(long seed, boolean prioritized) {
        this.rnd = new Random(seed);
        this.prioritized = prioritized;
        this.changeEvery = 8 + (int) Math.floorMod(seed, 5) * 8;
    }

    /** An engine task: a scheduled thread, or run at once by the caller once the schedule is over. */
    @Override
    public void run(String name, Runnable task) {
        if (stopped) {
            task.run();
            return;
        }
        spawn(name, task);
    }

    @Override
    public long lingerNanos() {
        return 0;
    }

    /** Starts {@code body} on a scheduled thread; it waits at its first point for its turn. */
    void spawn(String name, Runnable body) {
        Managed m = new Managed(name);
        synchronized (lock) {
            m.priority = rnd.nextDouble();
        }
        Thread t = new Thread(() -> {
            current.set(m);
            try {
                point();
                body.run();
            } finally {
                synchronized (lock) {
                    m.done = true;
                    arrivals++;
                    lock.notifyAll();
                }
            }
        }, "sched-" + name);
        t.setDaemon(true);
        m.thread = t;
        synchronized (lock) {
            threads.add(m);
        }
        t.start();
    }

    /** A scheduling point: the calling scheduled thread waits here until picked. Others pass. */
    void point() {
        Managed m = current.get();
        if (m == null || stopped) {
            return;
        }
        synchronized (lock) {
            m.atPoint = true;
            m.permitted = false;
            arrivals++;
            lock.notifyAll();
            boolean interrupted = false;
            while (!m.permitted && !stopped) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            m.atPoint = false;
            m.passes++;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Runs the schedule until every scheduled thread has finished. When it
     * fails, it lets every thread go on unscheduled: one stopped at a write
     * may hold the sync lock the store's close needs.
     */
    void runToEnd() {
        try {
            schedule();
        } catch (RuntimeException | Error e) {
            synchronized (lock) {
                stopped = true;
                lock.notifyAll();
            }
            throw e;
        }
    }

    private void schedule() {
        while (true) {
            Managed pick;
            synchronized (lock) {
                awaitQuiescence();
                List<Managed> ready = new ArrayList<>();
                boolean allDone = true;
                for (Managed m : threads) {
                    allDone &= m.done;
                    if (m.atPoint && !m.done) {
                        ready.add(m);
                    }
                }
                if (allDone) {
                    stopped = true;
                    return;
                }
                if (ready.isEmpty()) {
                    // A thread unparked a moment ago shows WAITING until the OS runs it:
                    // only a stillness that outlasts a busy machine's scheduling delay is a deadlock.
                    if (stirsWithin(2_000_000_000L)) {
                        continue;
                    }
                    throw new AssertionError("deadlock after " + decisions + " decisions: every thread is blocked\n"
                            + dump());
                }
                pick = pick(ready);
                long passes = pick.passes;
                pick.permitted = true;
                decisions++;
                lock.notifyAll();
                while (pick.passes == passes) {
                    waitALittle();
                }
            }
        }
    }

    /** Under the lock: the thread to run next, of those stopped at a point. */
    private Managed pick(List<Managed> ready) {
        if (!prioritized || rnd.nextInt(16) == 0) {
            return ready.get(rnd.nextInt(ready.size()));
        }
        Managed best = ready.get(0);
        for (Managed m : ready) {
            if (m.priority > best.priority) {
                best = m;
            }
        }
        if (rnd.nextInt(changeEvery) == 0) { // a change point: it runs this once more, then waits behind every other
            lowest -= 1;
            best.priority = lowest;
        }
        return best;
    }

    int decisions() {
        return decisions;
    }

    /** Under the lock: until every thread is at a point, blocked, or done, twice running, with nothing arriving between. */
    private void awaitQuiescence() {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (true) {
            long seen = arrivals;
            if (quiet()) {
                lock.notifyAll();
                waitALittle();
                if (seen == arrivals && quiet()) {
                    return;
                }
            } else {
                waitALittle();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("a scheduled thread ran for two minutes without reaching a point\n" + dump());
            }
        }
    }

    private boolean quiet() {
        for (Managed m : threads) {
            if (m.done || m.atPoint) {
                continue;
            }
            Thread.State s = m.thread.getState();
            if (s != Thread.State.BLOCKED && s != Thread.State.WAITING) {
                return false;
            }
        }
        return true;
    }

    /** Under the lock: whether some thread arrives at a point, finishes or runs within {@code nanos}. */
    private boolean stirsWithin(long nanos) {
        long seen = arrivals;
        long deadline = System.nanoTime() + nanos;
        while (System.nanoTime() < deadline) {
            waitALittle();
            if (arrivals != seen || !quiet()) {
                return true;
            }
        }
        return false;
    }

    /** Releases the lock for a moment, so scheduled threads can reach their points. */
    private void waitALittle() {
        try {
            lock.wait(0, 200_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    private String dump() {
        StringBuilder b = new StringBuilder();
        for (Managed m : threads) {
            if (m.done) {
                continue;
            }
            b.append(m.name).append(m.atPoint ? " (at a point)" : " (" + m.thread.getState() + ")").append('\n');
            for (StackTraceElement e : m.thread.getStackTrace()) {
                b.append("    at ").append(e).append('\n');
            }
        }
        return b.toString();
    }
}
