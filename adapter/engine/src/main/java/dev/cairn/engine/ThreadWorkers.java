package dev.cairn.engine;

import dev.cairn.api.CairnException;
import dev.cairn.engine.work.Workers;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link Workers} on plain daemon threads, for use outside an application
 * server. Threads are cached and die after a minute idle.
 */
public final class ThreadWorkers implements Workers {

    private static final ThreadWorkers SHARED = new ThreadWorkers();

    private final AtomicInteger serial = new AtomicInteger();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "cairn-worker-" + serial.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    /** The process-wide instance that {@link StoreConfig#defaults()} uses. */
    public static ThreadWorkers shared() {
        return SHARED;
    }

    @Override
    public void run(String name, Runnable task) {
        try {
            pool.execute(task);
        } catch (RejectedExecutionException e) {
            throw new CairnException("cannot start engine task " + name + ": " + e.getMessage(), e);
        }
    }
}
