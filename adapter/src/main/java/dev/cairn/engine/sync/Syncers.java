package dev.cairn.engine.sync;

import dev.cairn.engine.CairnException;
import dev.cairn.engine.ReadOnlyStoreException;
import dev.cairn.engine.Workers;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.cache.BlockCache;
import dev.cairn.engine.cache.CachedBlock;
import dev.cairn.engine.disk.StoreFile;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The syncers: each owns a {@link SyncQueue} and writes its blocks to the
 * file in queue order (gefs {@code runsync}). Arena {@code i}'s blocks go to
 * syncer {@code i % n}. A syncer is a task that runs while its queue has
 * entries and then returns ({@link Workers}).
 *
 * <p>{@link #barrier()} is gefs's {@code wrbarrier}: it bumps the queue
 * generation and puts a fence in every queue; since entries leave in
 * (qgen, op, addr) order, when every syncer has passed its fence, everything
 * queued before the barrier has been written. A barrier that promises
 * durability is followed by {@code force} (the caller's job).
 *
 * <p>Locking: {@code fenceLock} guards {@code fencesLeft}; queues have their
 * own monitors; neither is held while the other is taken.
 */
public final class Syncers {

    private static final long LINGER_NANOS = 1_000_000;

    private final SyncQueue[] queues;
    private final Workers workers;
    private final StoreFile file;
    private final BlockCache cache;
    private final LongConsumer freer;
    private final AtomicLong qgen = new AtomicLong();
    private final Object fenceLock = new Object();
    private int fencesLeft;
    /** The first write failure since the last barrier; reported by it. */
    private volatile CairnException failure;
    private final AtomicLong blocksWritten = new AtomicLong();

    /**
     * @param freer called (on a syncer) for each queued free, with the block's address
     */
    public Syncers(int count, int queueCapacity, Workers workers, StoreFile file, BlockCache cache, LongConsumer freer) {
        this.queues = new SyncQueue[count];
        for (int i = 0; i < count; i++) {
            queues[i] = new SyncQueue(queueCapacity);
        }
        this.workers = workers;
        this.file = file;
        this.cache = cache;
        this.freer = freer;
    }

    public int count() {
        return queues.length;
    }

    /** Queues a finalized block for writing; the queue holds a reference until it is written. */
    public void write(int syncer, CachedBlock block) {
        put(syncer, new SyncQueue.Entry(qgen.get(), SyncQueue.OP_WRITE, block.addr(), block));
    }

    /** Queues the release of a freed block, after the writes of its generation. */
    public void free(int syncer, long addr) {
        put(syncer, new SyncQueue.Entry(qgen.get(), SyncQueue.OP_FREE, addr, null));
    }

    /**
     * Waits until every entry queued before this call has been processed.
     *
     * @return the new queue generation
     * @throws CairnException the first write failure since the previous barrier
     */
    public long barrier() {
        long gen;
        synchronized (fenceLock) {
            gen = qgen.incrementAndGet();
            fencesLeft = queues.length;
        }
        for (int i = 0; i < queues.length; i++) {
            // A queue no task is draining, or whose task only lingers, is
            // drained right here: the caller would only wait for it, and a
            // hand-off to another thread costs more than the page-cache
            // writes it would do.
            SyncQueue q = queues[i];
            if (q.putClaiming(new SyncQueue.Entry(gen, SyncQueue.OP_FENCE, 0, null))) {
                drain(q, false);
            }
        }
        synchronized (fenceLock) {
            boolean interrupted = false;
            while (fencesLeft > 0) {
                try {
                    fenceLock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        CairnException f = failure;
        if (f != null) {
            failure = null;
            throw f;
        }
        return gen;
    }

    public long blocksWritten() {
        return blocksWritten.get();
    }

    private void put(int syncer, SyncQueue.Entry e) {
        SyncQueue q = queues[syncer];
        if (q.put(e)) {
            try {
                workers.run("cairn-syncer-" + syncer, () -> drain(q, true));
            } catch (RuntimeException ex) {
                q.abandon();
                throw ex;
            }
        }
    }

    /**
     * Runs a syncer until its queue is empty (a syncer task lingers a moment
     * first; a barrier draining inline does not). Writes to consecutive addresses
     * of one generation, which the heap hands out one after another, leave as
     * one long write. A batch is always written before the next non-write
     * entry is handled (a fence then promises it is written) and before the
     * queue is declared idle (so a new task never overtakes this one).
     */
    private void drain(SyncQueue q, boolean linger) {
        Batch batch = new Batch();
        while (true) {
            SyncQueue.Entry e = q.poll();
            if (e == null) {
                batch.flush();
                // Linger briefly: a writer streaming blocks would otherwise pay
                // a thread hand-off per block. Short enough that an idle store
                // holds no server thread for longer than this.
                if (linger) {
                    e = q.pollWithin(LINGER_NANOS);
                    if (e == SyncQueue.RELIEVED) {
                        return;
                    }
                }
            }
            if (e == null) {
                e = q.popOrIdle();
                if (e == null) {
                    return;
                }
            }
            if (e.op() == SyncQueue.OP_WRITE && batch.extends_(e)) {
                batch.add(e.block());
                continue;
            }
            batch.flush();
            switch (e.op()) {
                case SyncQueue.OP_WRITE -> batch.add(e.block());
                case SyncQueue.OP_FREE -> release(e.addr());
                case SyncQueue.OP_FENCE -> {
                    synchronized (fenceLock) {
                        if (--fencesLeft == 0) {
                            fenceLock.notifyAll();
                        }
                    }
                }
                default -> throw new IllegalStateException("sync op " + e.op());
            }
        }
    }

    /**
     * Makes a freed block allocatable. A failure here is a bug, not an I/O
     * error; it is kept for the next barrier to report rather than allowed to
     * end this task, which would leave the queue marked running with no one
     * draining it and every later barrier waiting for good.
     */
    private void release(long addr) {
        try {
            freer.accept(addr);
        } catch (RuntimeException ex) {
            if (failure == null) {
                failure = new CairnException(String.format("releasing freed block 0x%x failed: %s", addr, ex), ex);
            }
        }
    }

    /** Consecutive blocks gathered into one write. Owned by one drain task. */
    private final class Batch {
        private static final int MAX_BLOCKS = 64;
        private final CachedBlock[] blocks = new CachedBlock[MAX_BLOCKS];
        private int count;
        private ByteBuffer gather;

        boolean extends_(SyncQueue.Entry e) {
            return count > 0 && count < MAX_BLOCKS
                    && e.addr() == blocks[count - 1].addr() + BlockFormat.BLOCK_SIZE;
        }

        void add(CachedBlock b) {
            if (b.isFreed()) {
                cache.written(b); // freed before it reached the disk: nothing will ever read it
                return;
            }
            blocks[count++] = b;
        }

        void flush() {
            if (count == 0) {
                return;
            }
            try {
                if (failure != null) {
                    return;
                }
                if (file.isReadOnly()) {
                    failure = new ReadOnlyStoreException(file.readOnlyReason());
                    return;
                }
                ByteBuffer out;
                if (count == 1) {
                    out = ByteBuffer.wrap(blocks[0].data());
                } else {
                    if (gather == null) {
                        gather = ByteBuffer.allocateDirect(MAX_BLOCKS * BlockFormat.BLOCK_SIZE);
                    }
                    gather.clear();
                    for (int i = 0; i < count; i++) {
                        gather.put(blocks[i].data());
                    }
                    out = gather.flip();
                }
                file.write(out, blocks[0].addr());
                blocksWritten.addAndGet(count);
            } catch (RuntimeException ex) {
                if (failure == null) {
                    failure = ex instanceof CairnException ce ? ce : new CairnException("block write failed: " + ex, ex);
                }
            } finally {
                for (int i = 0; i < count; i++) {
                    cache.written(blocks[i]);
                    blocks[i] = null;
                }
                count = 0;
            }
        }
    }
}
