package dev.cairn.engine;

import dev.cairn.api.CairnException;
import dev.cairn.api.CorruptBlockException;
import dev.cairn.api.StoreClosedException;
import dev.cairn.api.StoreFullException;
import dev.cairn.engine.access.BlockAccess;
import dev.cairn.engine.alloc.Arena;
import dev.cairn.engine.alloc.Reserve;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.block.BlockHash;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.block.ReferenceWalker;
import dev.cairn.engine.cache.BlockCache;
import dev.cairn.engine.cache.CachedBlock;
import dev.cairn.engine.check.CheckReport;
import dev.cairn.engine.disk.StoreFile;
import dev.cairn.engine.epoch.Epochs;
import dev.cairn.engine.sync.Mount;
import dev.cairn.engine.sync.Superblock;
import dev.cairn.engine.sync.Syncers;
import dev.cairn.engine.work.Workers;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The block engine: gefs's block layer over one file. Callers allocate
 * blocks, fill them, hand them to the syncers, read blocks by pointer, free
 * them, and {@link #sync} a set of roots, which makes every block they reach
 * durable and the roots the ones a mount will find.
 *
 * <p>The sync and its crash invariants: {@link SyncPass}.
 *
 * <p>Generations: blocks allocated after sync G started are born in G+1;
 * when a freed block may be reused depends on its birth ({@link BlockFrees}).
 *
 * <p>Lock order: {@code syncLock}, then {@code segmentLock}, then an arena's
 * lock, then the cache's locks. Allocation and free take the segment lock
 * shared; pass 0 takes it exclusively, so no allocation or free can land in a
 * log between two arenas' barriers.
 *
 * <p>Who holds {@code syncLock}: the thread running a sync, for the whole of
 * it (a committer leading the store's group sync, an administrator's sync,
 * the settling sync of {@link #close(java.util.function.Supplier)}); the
 * close itself, while it drains the syncers; and {@link #check}, only while
 * it reads the superblocks and logs, not for its walk of the store. Commits
 * never take it: they apply under the segment lock shared and then wait for
 * a sync. The store above this class decides which of its commits a sync
 * covers and tells their callers so (see {@code Store}'s commit lock).
 */
public final class BlockStore implements BlockAccess, AutoCloseable {

    private static final int SYNC_QUEUE_CAPACITY = 4096;
    static final Logger LOG = Logger.getLogger(BlockStore.class.getName());

    // Package-private fields are the state SyncPass works on, under syncLock
    // (and segmentLock as documented on each), that BlockFrees changes under
    // segmentLock and the arenas' locks, and that BlockStoreStats reads;
    // nothing else outside this class touches them.
    final StoreFile file;
    private final StoreConfig config;
    final Arena[] arenas;
    final long[] arenaStarts;
    final long fileSize;
    final BlockCache cache;
    final Syncers syncers;
    final Epochs epochs = new Epochs();
    final ReentrantLock syncLock = new ReentrantLock();
    final ReentrantReadWriteLock segmentLock = new ReentrantReadWriteLock();
    /** Which arena a new block comes from. */
    private final ArenaSet arenaSet;
    /** How freed and unreserved blocks get back to their arenas. */
    final BlockFrees frees = new BlockFrees(this);
    /** Generation new blocks are born in. Written under the segment write lock. */
    volatile long openGen;
    /** Generation of the latest started sync. Written under the segment write lock. */
    volatile long protectedGen;
    volatile Superblock durable;
    /** The newer sync this open's mount did not take, or null. */
    final Mount.PassedOver passedOver;
    private volatile boolean closed;
    final AtomicLong syncCount = new AtomicLong();
    final AtomicLong syncNanos = new AtomicLong();
    final AtomicLong lastSyncNanos = new AtomicLong();
    /**
     * Full log blocks written since the last pass 0, address to hash: the
     * next superblock's manifest lists them. Added to under the segment lock
     * (read or write), swapped under its write lock.
     */
    volatile Map<Long, Long> logBlocksWritten = new ConcurrentHashMap<>();
    /**
     * Blocks finalized with {@link #writeAtSync} in the open generation, by
     * address, queued for the syncers only at the next pass 0; one freed
     * before then leaves it and is never written (no superblock can refer to
     * it). Changed under the segment read lock, swapped under its write lock.
     */
    volatile ConcurrentHashMap<Long, AtSync> atSync = new ConcurrentHashMap<>();

    record AtSync(CachedBlock block, long hash) {
    }

    private BlockStore(StoreFormat.Opened opened, StoreConfig config) {
        Superblock sb = opened.superblock();
        this.file = opened.file();
        this.passedOver = opened.passedOver();
        this.config = config;
        this.arenas = opened.arenas();
        this.arenaSet = new ArenaSet(arenas, opened.file().path());
        this.arenaStarts = sb.arenaStarts();
        this.fileSize = sb.fileSize();
        this.cache = new BlockCache(config.cacheBytes());
        this.syncers = new Syncers(Math.min(config.syncers(), arenas.length), SYNC_QUEUE_CAPACITY,
                Superblock.manifestCapacity(arenas.length), config.workers(), file, cache, addr -> frees.release(addr));
        this.durable = sb;
        this.protectedGen = sb.syncGen();
        this.openGen = sb.syncGen() + 1;
        for (Arena a : arenas) {
            a.onFullBlockWritten((addr, hash) -> logBlocksWritten.put(addr, hash));
        }
    }

    // ---- create and open

    /** Formats a new store of {@code config.sizeBytes()} at {@code path}. */
    public static BlockStore create(Path path, StoreConfig config) {
        return new BlockStore(StoreFormat.create(path, config), config);
    }

    /**
     * Opens a store and recovers it to its last completed sync: the newest
     * valid superblock whose arenas load, each arena's log replayed to
     * exactly the length that sync recorded.
     */
    public static BlockStore open(Path path, StoreConfig config) {
        return new BlockStore(StoreFormat.open(path, config), config);
    }

    // ---- epochs

    /**
     * What holds reclamation back: a thread inside an epoch, or a pin for a
     * reader whose snapshot outlives one thread's epoch. A freed block is
     * reused only once neither can still reach it.
     */
    public Epochs epochs() {
        return epochs;
    }

    /**
     * Runs {@code work} within one generation: no sync's pass 0 can fall
     * between the blocks it allocates and frees. A caller that links new
     * blocks into a root does it in here, so every block a sync finds
     * allocated is reachable from a root the sync records, and a crash leaks
     * nothing.
     */
    public <T> T withinGeneration(Supplier<T> work) {
        segmentLock.readLock().lock();
        try {
            return work.get();
        } finally {
            segmentLock.readLock().unlock();
        }
    }

    // ---- blocks

    /**
     * Allocates a block of {@code type} and returns it zeroed (with its type
     * written), dirty and held. Fill it, then {@link #write} it.
     *
     * @param hint spreads related blocks: equal hints prefer equal arenas
     * @throws StoreFullException when no arena has a free block outside its
     *         reserve (within {@link #removingWithinGeneration}: at all)
     */
    public CachedBlock newBlock(int type, int hint) {
        return newBlock(type, hint, true);
    }

    /**
     * Like {@link #newBlock}, but past its type the block holds whatever its
     * recycled buffer held: for a caller that sets every byte (a packed tree
     * node), to whom zeroing the block first is wasted work on every write.
     */
    @Override
    public CachedBlock newBlockToOverwrite(int type, int hint) {
        return newBlock(type, hint, false);
    }

    private CachedBlock newBlock(int type, int hint, boolean zeroed) {
        CachedBlock b = taken(false, hint, zeroed);
        if (type != BlockFormat.TYPE_DATA) {
            ByteBuffer.wrap(b.data()).putShort(0, (short) type);
        }
        return b;
    }

    /** A block allocated ({@code reserved}: reserved) in the open generation, in the cache. */
    private CachedBlock taken(boolean reserved, int hint, boolean zeroed) {
        checkWritable();
        long addr;
        long gen;
        segmentLock.readLock().lock();
        try {
            addr = reserved ? arenaSet.reserve(hint) : arenaSet.allocate(hint);
            gen = openGen;
        } finally {
            segmentLock.readLock().unlock();
        }
        CachedBlock b = cache.create(addr, zeroed);
        b.gen(gen);
        return b;
    }

    /** The hint for one large value's data blocks: see {@link ArenaSet#valueHint}. */
    @Override
    public int valueHint() {
        return arenaSet.valueHint();
    }

    /**
     * Like {@link #newBlockToOverwrite}, of type data, for a block a
     * transaction fills before it commits (a streamed value): the block is
     * taken but its allocation is not logged, so if the transaction never
     * commits (a crash, a rollback) nothing is leaked. {@link #claim} logs it
     * at commit, within the generation of the root that refers to it;
     * {@link #unreserve} gives it back. The caller sets every byte.
     */
    @Override
    public CachedBlock newReservedBlock(int hint) {
        return taken(true, hint, false);
    }

    /** Logs the allocation of reserved blocks; call within {@link #withinGeneration}. */
    @Override
    public void claim(List<Bptr> blocks) {
        for (Bptr bp : blocks) {
            arenaSet.claim(bp.addr());
        }
    }

    /**
     * Gives back a reserved block that will never be claimed.
     *
     * @return false when the block is not reserved (a commit claimed it)
     */
    @Override
    public boolean unreserve(Bptr bp) {
        return unreserve(bp.addr());
    }

    /** Like {@link #unreserve(Bptr)}, for a reserved block whose write never returned a pointer. */
    @Override
    public boolean unreserve(long addr) {
        return frees.unreserve(addr);
    }

    /**
     * Runs {@code work}, a removal (a commit whose every write is a delete,
     * a snapshot deletion, the rollback of a prepared branch), within one
     * generation like {@link #withinGeneration}, letting the blocks it
     * allocates come from the arenas' reserve. A put never may: the reserve is
     * what lets a store that puts filled delete, and so get its space back.
     */
    public <T> T removingWithinGeneration(Supplier<T> work) {
        return removingWithinGeneration(Reserve.DELETES, work);
    }

    /** Like {@link #removingWithinGeneration(Supplier)}, using as much of the reserve as {@code use} says. */
    public <T> T removingWithinGeneration(Reserve use, Supplier<T> work) {
        return arenaSet.removing(use, () -> withinGeneration(work));
    }

    /**
     * Runs {@code work}, which removes through {@link #removingWithinGeneration},
     * with as much of the reserve as {@code use} says (see {@link Reserve}).
     */
    public <T> T removing(Reserve use, Supplier<T> work) {
        return arenaSet.removing(use, work);
    }

    /**
     * Finalizes a filled block and queues it for writing.
     *
     * @return the pointer that refers to it: address, hash of its bytes, birth generation
     */
    @Override
    public Bptr write(CachedBlock b) {
        checkWritable();
        long hash = BlockHash.ofBlock(b.data());
        cache.queued(b);
        syncers.write(syncerOf(b.addr()), b, hash);
        return new Bptr(b.addr(), hash, b.gen());
    }

    /**
     * Like {@link #write}, but the block goes to the syncers only when the
     * next sync turns the generation, and not at all if it is freed before:
     * for a block that the generation is likely to replace, such as a
     * tree's root, which every commit rewrites and only the superblock
     * refers to. Call it within the generation ({@link #withinGeneration}).
     */
    @Override
    public Bptr writeAtSync(CachedBlock b) {
        checkWritable();
        long hash = BlockHash.ofBlock(b.data());
        cache.queued(b);
        atSync.put(b.addr(), new AtSync(b, hash));
        return new Bptr(b.addr(), hash, b.gen());
    }

    /**
     * The block {@code bp} points to, held until closed. Read from disk when
     * not cached, and then verified against the pointer's hash.
     *
     * @throws CorruptBlockException naming the address when the bytes do not match
     */
    @Override
    public CachedBlock read(Bptr bp) {
        checkOpen();
        if (bp.isNone() || !BlockFormat.aligned(bp.addr()) || arenaOf(bp.addr()) == null) {
            throw new CairnException("not a block of this store: " + bp);
        }
        return cache.get(bp.addr(), (addr, buf) -> {
            file.read(ByteBuffer.wrap(buf), addr);
            verify(bp, buf, 0);
        });
    }

    /** See {@link BulkRead}: straight into {@code dst}, cached blocks copied, the others read in runs, not cached. */
    @Override
    public void readInto(List<Bptr> blocks, byte[] dst, int off) {
        BulkRead.into(this, blocks, dst, off);
    }

    /** Throws, naming the block, unless the block size of {@code bytes} from {@code off} hashes to the pointer's hash. */
    static void verify(Bptr bp, byte[] bytes, int off) {
        long hash = BlockHash.of(bytes, off, BlockFormat.BLOCK_SIZE);
        if (hash != bp.hash()) {
            throw new CorruptBlockException(String.format(
                    "block at 0x%x is corrupt: its hash is %016x, its pointer says %016x", bp.addr(), hash, bp.hash()));
        }
    }

    /** Frees a block; it is reused only once no durable root and no reader can reach it: see {@link BlockFrees}. */
    @Override
    public void free(Bptr bp) {
        frees.free(bp);
    }

    /** Whether an allocation found the store full since the last call; clears the mark. */
    public boolean takeFoundFull() {
        return arenaSet.takeFoundFull();
    }

    // ---- sync

    /**
     * Makes {@code roots} and every block written before this call durable;
     * returns when they are. A mount after a crash finds these roots or those
     * of an earlier completed sync, never anything in between.
     *
     * @param roots up to {@value Superblock#ROOTS} pointers; they must not reach a freed block
     * @return the generation of this sync
     */
    public long sync(List<Bptr> roots) {
        return sync(() -> roots, () -> { });
    }

    /**
     * Like {@link #sync(List)}, with the roots taken inside pass 0, while no
     * {@link #withinGeneration} work runs: the newest roots at that moment.
     * {@code onDurable} runs as soon as they are durable, before anything the
     * sync frees is handed to reclamation: a reader that pins and then asks
     * for the durable roots can never get roots whose blocks are being freed.
     */
    public long sync(Supplier<List<Bptr>> rootsAtBarrier, Runnable onDurable) {
        return sync(rootsAtBarrier, onDurable, true);
    }

    /**
     * Like {@link #sync(java.util.function.Supplier, Runnable)}; with
     * {@code release} false, pass 4 hands nothing the sync freed to
     * reclamation: for the syncs of a closing store, which nothing will
     * reuse, and whose syncer tasks a stopping adapter may refuse to run.
     * Its frees are durable in the logs all the same; a reopen finds them.
     */
    public long sync(Supplier<List<Bptr>> rootsAtBarrier, Runnable onDurable, boolean release) {
        return SyncPass.run(this, rootsAtBarrier, onDurable, release);
    }

    /** Asks every arena to compress its allocation log at the next sync. */
    public void compressLogs() {
        arenaSet.requestCompress();
    }

    /** The generation blocks allocated now are born in; stable within {@link #withinGeneration}. */
    public long openGeneration() {
        return openGen;
    }

    /**
     * Whether the newest superblock lists blocks written with it: until a
     * later sync, a mount cannot tell one of them gone bad from a crash
     * before their force, and takes the generation before.
     */
    public boolean newestSyncListsBlocks() {
        Superblock.Manifest m = durable.manifest();
        return m != null && m.size() > 0;
    }

    /** The roots of the last completed sync. */
    public List<Bptr> roots() {
        return durable.roots();
    }

    public long durableGen() {
        return durable.syncGen();
    }

    /** Checks the durable state while commits go on: see {@link DurableCheck}. */
    public CheckReport check(ReferenceWalker walker) {
        return DurableCheck.run(this, walker);
    }

    // ---- figures

    public BlockStoreStats stats() {
        return BlockStoreStats.of(this);
    }

    /**
     * The newest sync the mount passed over because a block of it did not
     * read back as written, or null. Its commits may have been acknowledged:
     * an administrator must hear of it, not only the log.
     */
    public Mount.PassedOver passedOver() {
        return passedOver;
    }

    // ---- helpers

    Arena arenaOf(long addr) {
        return arenaSet.of(addr);
    }

    int syncerOf(long addr) {
        return arenaOf(addr).index() % syncers.count();
    }

    void checkOpen() {
        if (closed) {
            throw new StoreClosedException("store " + file.path() + " is closed");
        }
    }

    /** Throws the store's read-only or closed error (before a commit does any work, say). */
    public void checkWritable() {
        checkOpen();
        file.checkWritable();
    }

    public Path path() {
        return file.path();
    }

    /** Where the engine gets its threads (see {@link Workers}). */
    @Override
    public Workers workers() {
        return config.workers();
    }

    public boolean isReadOnly() {
        return file.isReadOnly();
    }

    /** Why the store takes no writes (the failed write or fsync), or null while it does. */
    public String readOnlyReason() {
        return file.readOnlyReason();
    }

    /**
     * Closes the store after settling it: when the newest superblock lists
     * blocks, one more sync of {@code roots} (the newest roots, which must
     * reach every block allocated so far) writes a superblock that lists
     * none, so the next mount reports a bad block as corrupt instead of
     * taking it for a crash. That sync hands nothing to the syncers after it:
     * at close their worker tasks may no longer be run (an adapter stopping).
     */
    public void close(Supplier<List<Bptr>> roots) {
        if (!closed && !isReadOnly() && newestSyncListsBlocks()) {
            try {
                sync(roots, () -> { }, false);
            } catch (CairnException e) {
                // read-only now; what the last completed sync made durable is safe
            }
        }
        close();
    }

    /**
     * Closes the store. Blocks written since the last sync are not made
     * durable: a store's durable state is what its last {@link #sync} said.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        syncLock.lock();
        try {
            closed = true;
            if (!file.isReadOnly()) {
                syncers.barrier();
            }
        } catch (CairnException e) {
            // the store went read-only while draining; what was synced is safe
        } finally {
            syncLock.unlock();
            file.close();
        }
    }
}
