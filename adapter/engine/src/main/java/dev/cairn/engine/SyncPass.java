package dev.cairn.engine;

import dev.cairn.api.ReadOnlyStoreException;
import dev.cairn.engine.alloc.Arena;
import dev.cairn.engine.alloc.ArenaState;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.sync.Superblock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Level;

/**
 * One sync of a {@link BlockStore}, and what a failure at each point leaves.
 * It runs under the block store's {@code syncLock} and works on the block
 * store's state, which stays there: the generations, the arenas, the blocks
 * written since the last pass 0.
 *
 * <p>The sync (gefs seed 003's passes, with Cairn's one force):
 * <ol>
 * <li>pass 0, with allocation paused: per arena, log the deferred frees this
 *     sync's root cannot reach, compress a log that has doubled, append the
 *     barrier for generation G, write the log tail; then the write barrier:
 *     every queued block written.</li>
 * <li>pass 2: superblock G into slot G % 2, never the slot of G-1, listing in
 *     its manifest every block written since sync G-1's force (address and
 *     hash; the log tails are verified by the arena states instead).
 *     <b>force</b>, once for blocks and superblock together. Crash before it
 *     ends: any subset of those writes may be on disk, the superblock torn,
 *     whole, or absent. Mount takes G only when its superblock is whole and
 *     every block of its manifest that G has allocated reads back with its
 *     hash; otherwise G-1 from the other slot, which its own force made
 *     complete, and which nothing since has overwritten (no block a durable
 *     root reaches is ever rewritten, a freed block is reused only after the
 *     sync that logged its free is durable, and the log bytes it recorded are
 *     never changed). After the force, G is durable and {@code sync} returns.
 *     A sync that wrote more blocks than a manifest holds forces them first
 *     and then the superblock, without a manifest: two forces.</li>
 * <li>pass 4: blocks whose frees G made durable go to the epoch limbo and,
 *     once no reader can see them, back into the free ranges.</li>
 * </ol>
 * gefs's passes 1 and 3 (arena headers h0, h1) have nothing to do here: the
 * arenas' changing state is in the superblock (see {@code ArenaHeader}).
 */
final class SyncPass {

    private SyncPass() {
    }

    static long run(BlockStore bs, Supplier<List<Bptr>> rootsAtBarrier, Runnable onDurable, boolean release) {
        bs.syncLock.lock();
        try {
            bs.checkWritable();
            long start = System.nanoTime();
            long gen = -1;
            List<Arena.Released> releaseAfter = new ArrayList<>();
            Superblock sb;
            Map<Long, Long> logBlocks;
            Collection<BlockStore.AtSync> deferred;
            try {
                // pass 0: the generation turns and every arena's log gets its
                // barrier in one critical section, so no allocation or free can
                // land in a log between the turn and the barriers.
                List<Bptr> all;
                List<ArenaState> states = new ArrayList<>();
                bs.segmentLock.writeLock().lock();
                try {
                    all = new ArrayList<>(rootsAtBarrier.get());
                    if (all.size() > Superblock.ROOTS) {
                        throw new IllegalArgumentException("at most " + Superblock.ROOTS + " roots");
                    }
                    while (all.size() < Superblock.ROOTS) {
                        all.add(Bptr.NONE);
                    }
                    gen = bs.openGen;
                    bs.protectedGen = gen;
                    bs.openGen = gen + 1;
                    for (Arena a : bs.arenas) {
                        a.lock.lock();
                        try {
                            states.add(a.seal(gen, releaseAfter));
                        } finally {
                            a.lock.unlock();
                        }
                    }
                    logBlocks = bs.logBlocksWritten;
                    bs.logBlocksWritten = new ConcurrentHashMap<>();
                    deferred = bs.atSync.values();
                    bs.atSync = new ConcurrentHashMap<>();
                } finally {
                    bs.segmentLock.writeLock().unlock();
                }
                // A block of the sealed generation can no longer be freed at
                // once (a free now waits for this sync), so those still listed
                // must reach the disk before the barrier.
                for (BlockStore.AtSync d : deferred) {
                    bs.syncers.writeBeforeBarrier(bs.syncerOf(d.block().addr()), d.block(), d.hash());
                }
                Superblock.Manifest manifest = manifest(bs.syncers.barrier(), logBlocks, states, bs.arenas.length);
                if (manifest == null) {
                    bs.file.force(); // too many blocks to list: they go first, the superblock after
                }
                // pass 2: the superblock, into the slot the previous sync did not use.
                sb = new Superblock(gen, gen + 1, bs.fileSize, List.copyOf(all), bs.arenaStarts, states, manifest);
                bs.file.write(ByteBuffer.wrap(sb.pack()), Superblock.slotAddr(Superblock.slotOf(gen), bs.fileSize));
                try {
                    bs.file.force();
                } catch (ReadOnlyStoreException e) {
                    throw e.getCause() instanceof IOException ? outcomeUnknown(bs, gen, e) : e;
                }
            } catch (RuntimeException e) {
                if (gen < 0 || bs.file.isReadOnly()) {
                    throw e; // nothing had changed yet, or the file latched and says why
                }
                // Logs, queued writes and the in-memory state are now in an unknown
                // mix: the seed stops here, and so does Cairn, until a reopen.
                throw bs.file.markReadOnly("the sync of generation " + gen + " failed midway", e);
            }
            bs.durable = sb;
            try {
                onDurable.run();
            } catch (RuntimeException e) {
                // Durable, but the caller's view of what is durable may lag the
                // disk's: writing on could make every later commit conflict with
                // one that never became visible. Stop, as above, and say so.
                throw bs.file.markReadOnly("generation " + gen + " is durable, but its sync failed after that", e);
            }
            if (release) {
                // pass 4: what this sync freed may be reused once no reader sees it.
                try {
                    releaseAfter.forEach(bs.frees::retire);
                    bs.epochs.clean();
                } catch (RuntimeException e) {
                    // The sync's commits are durable and visible, so they
                    // succeeded and their callers must hear so: told "failed",
                    // an application would redo them. What the sync freed is
                    // in an unknown state (reusing it could overwrite a block
                    // a reader sees), so nothing more is written.
                    ReadOnlyStoreException ro = bs.file.markReadOnly(
                            "generation " + gen + " is durable, but handing back what its sync freed failed", e);
                    BlockStore.LOG.log(Level.SEVERE, ro.getMessage(), e);
                }
            }
            long took = System.nanoTime() - start;
            bs.syncCount.incrementAndGet();
            bs.syncNanos.addAndGet(took);
            bs.lastSyncNanos.set(took);
            return gen;
        } finally {
            bs.syncLock.unlock();
        }
    }

    /**
     * The error for a sync whose last fsync failed. Its superblock and blocks
     * were handed to the kernel, which may have written all of them before it
     * failed (or write them later, from pages it still holds): the commits
     * the sync carried may be durable, and a caller told only "failed" could
     * redo one that was not lost. The mount decides, all or nothing: it takes
     * generation {@code gen} only when its superblock and every block it lists
     * read back whole.
     */
    private static ReadOnlyStoreException outcomeUnknown(BlockStore bs, long gen, ReadOnlyStoreException failedForce) {
        return new ReadOnlyStoreException("the sync of generation " + gen + " of store " + bs.file.path()
                + " failed at its fsync (" + failedForce.getCause().getMessage() + "): the commits it carried"
                + " (this one among them, unless it was applied after that sync began) may have been made durable"
                + " or may be lost, each wholly; reopening the store shows which. The store is now read-only"
                + " because after a failed fsync the kernel may have dropped pages it had not written and cleared"
                + " the error, so no later write could be trusted to reach the disk", failedForce);
    }

    /**
     * The blocks one sync wrote, as its superblock lists them; null when they
     * are too many to list ({@code blocks} is null when the syncers found them
     * so). An address in both maps was a block the syncers wrote, freed and
     * reused for a log block, written last.
     *
     * <p>Crash invariant: every entry must be the bytes the address holds
     * when this sync's force ends, or mount rejects a generation that is
     * complete. The one write no map reports is a log tail's, and a tail can
     * sit where the syncers wrote a block since the last fence: a block born
     * in this generation, freed at once, released by the previous sync's
     * pass 4 and taken as the next log block (the lowest free block). So the
     * arenas' tails are never listed; the arena states verify them instead,
     * by the hash of the entries this sync recorded.
     */
    private static Superblock.Manifest manifest(Map<Long, Long> blocks, Map<Long, Long> logBlocks,
                                                List<ArenaState> states, int arenaCount) {
        if (blocks == null) {
            return null;
        }
        Map<Long, Long> all = new HashMap<>(blocks);
        all.putAll(logBlocks);
        for (ArenaState st : states) {
            all.remove(st.tailAddr());
        }
        if (all.size() > Superblock.manifestCapacity(arenaCount)) {
            return null;
        }
        long[] addrs = new long[all.size()];
        long[] hashes = new long[all.size()];
        int i = 0;
        for (Map.Entry<Long, Long> e : all.entrySet()) {
            addrs[i] = e.getKey();
            hashes[i++] = e.getValue();
        }
        return new Superblock.Manifest(addrs, hashes);
    }
}
