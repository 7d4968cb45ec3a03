package dev.cairn.engine.sync;

import dev.cairn.api.CairnException;
import dev.cairn.api.ReadOnlyStoreException;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.cache.BlockCache;
import dev.cairn.engine.cache.CachedBlock;
import dev.cairn.engine.disk.StoreFile;
import dev.cairn.engine.work.Workers;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
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
 * durability is followed by {@code force} (the caller's job). It also tells
 * which blocks were written since the previous barrier: the sync lists them
 * in its superblock, which lets it force blocks and superblock together.
 *
 * <p>Locking: {@code fenceLock} guards {@code fencesLeft} and
 * {@code writtenBeforeFences}; queues have their own monitors; neither is
 * held while the other is taken. {@code written[i]}, {@code overflowed[i]} and {@code gathers[i]}
 * belong to whichever task drains queue {@code i} (one at a time; the queue's
 * monitor hands it over).
 */
public final class Syncers {

    private final SyncQueue[] queues;
    private final Workers workers;
    private final StoreFile file;
    private final BlockCache cache;
    private final LongConsumer freer;
    private final AtomicLong qgen = new AtomicLong();
    private final Object fenceLock = new Object();
    private int fencesLeft;
    /** Per queue: address to hash of each block written since that queue's last fence. */
    private final Map<Long, Long>[] written;
    /** What the queues that passed the current barrier's fence had written before it. */
    private Map<Long, Long> writtenBeforeFences = new HashMap<>();
    /**
     * How many written blocks a barrier reports at most; past it, it reports
     * none (null) and the heap holds no list that grows with a long stream.
     */
    private final int reportLimit;
    /** Per queue: it wrote more than {@code reportLimit} blocks since its last fence. */
    private final boolean[] overflowed;
    /**
     * Per queue: the direct buffer a batch of blocks is gathered into, made on
     * first use and kept. A fresh one per drain cost a zeroed 1 MiB native
     * allocation for every commit that wrote two blocks in a row.
     */
    private final ByteBuffer[] gathers;
    /** A queue that passed the current barrier's fence had overflowed. */
    private boolean overflowBeforeFences;
    /** The first write failure since the last barrier; reported by it. */
    private volatile CairnException failure;
    private final AtomicLong blocksWritten = new AtomicLong();

    /**
     * @param freer called (on a syncer) for each queued free, with the block's address
     */
    public Syncers(int count, int queueCapacity, int reportLimit, Workers workers, StoreFile file, BlockCache cache,
                   LongConsumer freer) {
        this.queues = new SyncQueue[count];
        this.reportLimit = reportLimit;
        this.overflowed = new boolean[count];
        this.gathers = new ByteBuffer[count];
        @SuppressWarnings("unchecked")
        Map<Long, Long>[] w = new Map[count];
        this.written = w;
        for (int i = 0; i < count; i++) {
            queues[i] = new SyncQueue(queueCapacity);
            written[i] = new HashMap<>();
        }
        this.workers = workers;
        this.file = file;
        this.cache = cache;
        this.freer = freer;
    }

    public int count() {
        return queues.length;
    }

    /**
     * Queues a finalized block for writing; the queue holds a reference until it is written.
     *
     * @param hash the hash of the block's bytes, reported by the barrier that follows its write
     */
    public void write(int syncer, CachedBlock block, long hash) {
        put(syncer, new SyncQueue.Entry(qgen.get(), SyncQueue.OP_WRITE, block.addr(), block, hash), 1);
    }

    /**
     * Like {@link #write}, for a caller that calls {@link #barrier} next and
     * needs no cache buffer before it: the barrier writes the block, and no
     * thread is woken for it (see {@link SyncQueue}).
     */
    public void writeBeforeBarrier(int syncer, CachedBlock block, long hash) {
        put(syncer, new SyncQueue.Entry(qgen.get(), SyncQueue.OP_WRITE, block.addr(), block, hash), Integer.MAX_VALUE);
    }

    /**
     * Queues the release of a freed block, after the writes of its
     * generation. Alone in an idle queue it waits for the next barrier.
     */
    public void free(int syncer, long addr) {
        put(syncer, new SyncQueue.Entry(qgen.get(), SyncQueue.OP_FREE, addr, null, 0), 2);
    }

    /**
     * Waits until every entry queued before this call has been processed.
     *
     * @return address to hash of every block written since the previous
     *         barrier (a block queued but skipped because it was freed first is
     *         not in it; one written twice has its last hash), or null when
     *         they were more than the report limit
     * @throws CairnException the first write failure since the previous barrier
     */
    public Map<Long, Long> barrier() {
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
            if (q.putClaiming(new SyncQueue.Entry(gen, SyncQueue.OP_FENCE, 0, null, 0))) {
                drain(i, false);
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
        Map<Long, Long> out;
        synchronized (fenceLock) {
            out = overflowBeforeFences || writtenBeforeFences.size() > reportLimit ? null : writtenBeforeFences;
            writtenBeforeFences = new HashMap<>();
            overflowBeforeFences = false;
        }
        CairnException f = failure;
        if (f != null) {
            failure = null;
            throw f;
        }
        return out;
    }

    public long blocksWritten() {
        return blocksWritten.get();
    }

    private void put(int syncer, SyncQueue.Entry e, int startAt) {
        if (queues[syncer].put(e, startAt)) {
            try {
                workers.run("cairn-syncer-" + syncer, () -> drain(syncer, true));
            } catch (RuntimeException ex) {
                queues[syncer].abandon();
                throw ex;
            }
        }
    }

    /**
     * Runs a syncer until its queue is empty. Writes to consecutive addresses
     * of one generation, which the heap hands out one after another, leave as
     * one long write. A batch is always written before the next non-write
     * entry is handled (a fence then promises it is written) and before the
     * queue is declared idle (so a new task never overtakes this one).
     *
     * @param asTask true for a started task: it leaves at once if a barrier
     *               claimed the queue before it began, and lingers a moment
     *               when the queue empties; false for a barrier draining inline
     */
    private void drain(int index, boolean asTask) {
        SyncQueue q = queues[index];
        if (asTask && !q.begin()) {
            return;
        }
        Batch batch = new Batch(index);
        while (true) {
            SyncQueue.Entry e = q.poll();
            if (e == null) {
                batch.flush();
                // Linger briefly: a writer streaming blocks would otherwise pay
                // a thread hand-off per block. Short enough that an idle store
                // holds no server thread for longer than this.
                if (asTask) {
                    e = q.pollWithin(workers.lingerNanos());
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
                batch.add(e.block(), e.hash());
                continue;
            }
            batch.flush();
            switch (e.op()) {
                case SyncQueue.OP_WRITE -> batch.add(e.block(), e.hash());
                case SyncQueue.OP_FREE -> release(e.addr());
                case SyncQueue.OP_FENCE -> {
                    synchronized (fenceLock) {
                        writtenBeforeFences.putAll(written[index]);
                        overflowBeforeFences |= overflowed[index];
                        written[index].clear();
                        overflowed[index] = false;
                        if (--fencesLeft == 0) {
                            fenceLock.notifyAll();
                        }
                    }
                    if (!asTask) {
                        // The barrier's own drain ends at its fence: what was queued after
                        // it belongs to the next sync, and a writer that keeps queuing
                        // would otherwise hold this sync (and its committers) for as long
                        // as it keeps up. The rest goes to a task.
                        handOff(index);
                        return;
                    }
                }
                default -> throw new IllegalStateException("sync op " + e.op());
            }
        }
    }

    /** Ends a barrier's inline drain: the queue goes idle, or to a task when entries wait. */
    private void handOff(int index) {
        if (queues[index].handOff()) {
            try {
                workers.run("cairn-syncer-" + index, () -> drain(index, true));
            } catch (RuntimeException ex) {
                queues[index].abandon();
                throw ex;
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
        private final long[] hashes = new long[MAX_BLOCKS];
        /** The queue drained: its written-since-fence record is this batch's to add to. */
        private final int queue;
        private int count;

        Batch(int queue) {
            this.queue = queue;
        }

        boolean extends_(SyncQueue.Entry e) {
            return count > 0 && count < MAX_BLOCKS
                    && e.addr() == blocks[count - 1].addr() + BlockFormat.BLOCK_SIZE;
        }

        void add(CachedBlock b, long hash) {
            if (b.isFreed()) {
                cache.written(b); // freed before it reached the disk: nothing will ever read it
                return;
            }
            hashes[count] = hash;
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
                    ByteBuffer gather = gathers[queue];
                    if (gather == null) {
                        gather = ByteBuffer.allocateDirect(MAX_BLOCKS * BlockFormat.BLOCK_SIZE);
                        gathers[queue] = gather;
                    }
                    gather.clear();
                    for (int i = 0; i < count; i++) {
                        gather.put(blocks[i].data());
                    }
                    out = gather.flip();
                }
                file.write(out, blocks[0].addr());
                if (!overflowed[queue]) {
                    for (int i = 0; i < count; i++) {
                        written[queue].put(blocks[i].addr(), hashes[i]);
                    }
                    if (written[queue].size() > reportLimit) {
                        written[queue].clear();
                        overflowed[queue] = true;
                    }
                }
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
