/**
 * Where the engine gets its threads: {@link dev.cairn.engine.work.Workers}, a
 * way to run a short task elsewhere (plain daemon threads standalone, the JCA
 * WorkManager in the adapter). Below the root so that {@code sync} and
 * {@code object} can start tasks without a package cycle.
 *
 * <p>Threads: the task runs on a thread the implementation supplies; the
 * engine's tasks run while there is work and then return. No lock.
 */
package dev.cairn.engine.work;
