package dev.cairn.ra;

import dev.cairn.api.CairnException;
import dev.cairn.engine.work.Workers;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkException;
import jakarta.resource.spi.work.WorkManager;

/**
 * Runs the engine's tasks as JCA Work on the server's WorkManager.
 *
 * <p>Why short Works and no long-running one: Liberty waits for busy pool
 * threads (up to 30 s, CWWKE1107W) before it stops applications and resource
 * adapters, so a Work that idles waiting for commits would hold up every
 * server stop and our {@code stop()} would come too late to end it. The
 * engine's tasks return as soon as their queue is empty, so between commits
 * no Work holds a thread and the server stops at once.
 */
final class WorkManagerWorkers implements Workers {

    private final WorkManager workManager;

    WorkManagerWorkers(WorkManager workManager) {
        this.workManager = workManager;
    }

    @Override
    public void run(String name, Runnable task) {
        try {
            workManager.scheduleWork(new EngineWork(name, task));
        } catch (WorkException e) {
            throw new CairnException("the server refused engine task " + name + ": " + e.getMessage(), e);
        }
    }

    private record EngineWork(String name, Runnable task) implements Work {
        @Override
        public void run() {
            task.run();
        }

        /** The task ends by itself when its queue is empty; nothing to interrupt. */
        @Override
        public void release() {
        }
    }
}
