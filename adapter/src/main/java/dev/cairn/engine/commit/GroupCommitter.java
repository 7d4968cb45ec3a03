package dev.cairn.engine.commit;

import dev.cairn.engine.CairnException;
import dev.cairn.engine.StoreClosedException;
import dev.cairn.engine.Workers;
import dev.cairn.engine.disk.StoreFile;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongConsumer;

/**
 * Appends commits to the store file and makes them durable, many at a time.
 *
 * <p>Committers queue their record and wait. One commit task at a time takes
 * everything queued, writes it at the end of the file, forces once, then
 * publishes each commit in file order and wakes its committer. Commits that
 * arrive while a force runs ride the next one: one {@code fsync} per group, not
 * per commit. The task returns when the queue is empty (see {@link Workers}).
 *
 * <p>Crash invariant: a commit is acknowledged (its {@code submit} returns)
 * only after the force that covers its bytes returned, so a crash loses only
 * unacknowledged commits, which recovery finds torn or whole-but-unacknowledged.
 *
 * <p>Locking: {@code lock} guards {@code queue}, {@code running} and
 * {@code closing}. The file tail is touched only by the one running task,
 * handed from task to task through {@code running} under {@code lock}.
 * No other lock is taken while {@code lock} is held.
 */
public final class GroupCommitter {

    private final StoreFile file;
    private final Workers workers;
    private final Object lock = new Object();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private boolean running;
    private boolean closing;
    private long tail;
    private volatile long durableTail;
    private long syncs;
    private long commits;

    public GroupCommitter(StoreFile file, Workers workers, long tail) {
        this.file = file;
        this.workers = workers;
        this.tail = tail;
        this.durableTail = tail;
    }

    private static final class Pending {
        final ByteBuffer record;
        final LongConsumer publish;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Pending(ByteBuffer record, LongConsumer publish) {
            this.record = record;
            this.publish = publish;
        }
    }

    /**
     * Appends {@code record}, forces, calls {@code publish} with the record's
     * file offset (in file order, on the commit task), and returns. Blocks
     * until then, uninterruptibly: a commit's outcome is never left unknown
     * to its caller because of an interrupt.
     */
    public void submit(ByteBuffer record, LongConsumer publish) {
        Pending p = new Pending(record, publish);
        boolean start;
        synchronized (lock) {
            if (closing) {
                throw new StoreClosedException("store " + file.path() + " is closed");
            }
            file.checkWritable();
            queue.add(p);
            start = !running;
            running = true;
        }
        if (start) {
            try {
                workers.run("cairn-commit " + file.path(), this::drain);
            } catch (RuntimeException e) {
                failQueued(e);
            }
        }
        try {
            p.done.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof CairnException ce) {
                throw ce;
            }
            throw new CairnException("commit failed: " + e.getCause(), e.getCause());
        }
    }

    private void failQueued(RuntimeException e) {
        List<Pending> failed;
        synchronized (lock) {
            failed = new ArrayList<>(queue);
            queue.clear();
            running = false;
            lock.notifyAll();
        }
        failed.forEach(p -> p.done.completeExceptionally(e));
    }

    private void drain() {
        while (true) {
            List<Pending> group;
            synchronized (lock) {
                if (queue.isEmpty()) {
                    running = false;
                    lock.notifyAll();
                    return;
                }
                group = new ArrayList<>(queue);
                queue.clear();
            }
            try {
                long[] offsets = new long[group.size()];
                long pos = tail;
                for (int i = 0; i < group.size(); i++) {
                    ByteBuffer rec = group.get(i).record;
                    offsets[i] = pos;
                    pos += rec.remaining();
                    file.write(rec, offsets[i]);
                }
                file.force();
                tail = pos;
                durableTail = pos;
                synchronized (lock) {
                    syncs++;
                    commits += group.size();
                }
                for (int i = 0; i < group.size(); i++) {
                    group.get(i).publish.accept(offsets[i]);
                    group.get(i).done.complete(null);
                }
            } catch (RuntimeException e) {
                // The file latched read-only (or closed): fail this group and
                // everything queued behind it; never retry a failed force.
                group.forEach(p -> p.done.completeExceptionally(e));
                failQueued(e);
                return;
            }
        }
    }

    /** Refuses new commits and waits for the running group to finish. */
    public void close() {
        synchronized (lock) {
            closing = true;
            boolean interrupted = false;
            while (running) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Number of forces that made commits durable. */
    public long syncs() {
        synchronized (lock) {
            return syncs;
        }
    }

    /** Number of commits made durable. */
    public long commits() {
        synchronized (lock) {
            return commits;
        }
    }

    /** Bytes of the file that hold durable commits. */
    public long durableBytes() {
        return durableTail;
    }
}
