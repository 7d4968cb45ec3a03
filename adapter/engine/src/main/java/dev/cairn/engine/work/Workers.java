package dev.cairn.engine.work;

import dev.cairn.api.CairnException;

/**
 * The one way the engine gets a thread. The engine hands over short tasks that
 * run while there is work and then return; it never parks a task waiting for
 * work. That is what lets an application server stop promptly: between commits
 * no engine task occupies a pool thread, so the server has nothing to wait for.
 *
 * <p>Standalone (tests, benchmarks, offline tools) this is
 * {@code dev.cairn.engine.ThreadWorkers}; inside the resource adapter it is the
 * JCA WorkManager. It lives below the engine root so that the syncers
 * ({@code sync}) and the lookups of old values ({@code object}) can start
 * tasks without importing the root, which imports them.
 */
@FunctionalInterface
public interface Workers {

    /**
     * Runs {@code task} on some other thread, soon.
     *
     * @param name what the task is, for thread names and error messages
     * @throws CairnException when no thread can be had; the task has not run
     */
    void run(String name, Runnable task);

    /**
     * How long a syncer task waits for more work before it returns: it saves
     * a thread hand-off per block to a writer streaming blocks. A scheduler
     * that runs one task at a time (the deterministic crash exploration) says
     * 0: a timed wait would be the one thing it does not decide.
     */
    default long lingerNanos() {
        return 1_000_000;
    }
}
