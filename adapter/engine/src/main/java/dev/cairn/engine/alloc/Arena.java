package dev.cairn.engine.alloc;

import dev.cairn.api.CorruptBlockException;
import dev.cairn.api.StoreFullException;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.disk.StoreFile;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One arena: a span of the file with its own free ranges and its own
 * allocation log (gefs blk.c: {@code blkalloc_lk}, {@code logappend},
 * {@code loadlog}, {@code compresslog}).
 *
 * <p>Every allocation and free is appended to the log before the space is
 * used. Mount replays the log from scratch (everything allocated, then the
 * entries in order) up to exactly the tail length the superblock recorded, so
 * the free map after mount is the one of the last completed sync.
 *
 * <p>A block freed in the log is not at once free in memory: it stays
 * <em>unreleased</em> until nothing can reach it any more (the sync that stops
 * a durable root reaching it has completed, and no reader's epoch can still
 * see it). Only {@link #release} puts it back into the free ranges.
 *
 * <p>Locking: {@link #lock} guards all state here. It is taken after the
 * block store's segment lock and before nothing else; log I/O (chaining a
 * full log block, writing the tail at a sync) happens under it, which orders
 * every write of a log block.
 */
public final class Arena {

    /** Log blocks below which the log is never compressed. */
    static final int MIN_LOG_BLOCKS_TO_COMPRESS = 4;

    public final ReentrantLock lock = new ReentrantLock();

    private final ArenaHeader header;
    private final long headerHash;
    private final StoreFile file;
    private final FreeRanges free;
    /** Logged free, not yet in {@link #free}. */
    private final Set<Long> unreleased = new HashSet<>();
    /**
     * Taken from the free ranges but not logged: blocks a transaction fills
     * before it commits. The log (and so a mount after a crash) sees them as
     * free until {@link #claim} logs their allocation at commit.
     */
    private final Set<Long> reserved = new HashSet<>();
    /** Frees not yet logged: the block may still be reachable from a root being synced. */
    private final List<long[]> deferred = new ArrayList<>();

    private final List<Long> chain;
    private final byte[] tail = new byte[BlockFormat.BLOCK_SIZE];
    private int tailLength;
    /** Hash of the tail's entries, or null when the tail changed since it was computed. */
    private Long tailHash;
    /** Entries appended since the last sync captured this arena. */
    private boolean logDirty;
    private int blocksAfterCompress;
    private boolean compressRequested;
    private long chainings;
    private long compressions;
    /** Told of each full log block written (never rewritten after), with its hash. */
    private FullBlockListener fullBlocks = (addr, hash) -> { };

    /** Hears of each full log block the arena writes: a sync lists it among the blocks it must find on disk. */
    @FunctionalInterface
    public interface FullBlockListener {
        void written(long addr, long hash);
    }

    private Arena(ArenaHeader header, long headerHash, StoreFile file, FreeRanges free, List<Long> chain) {
        this.header = header;
        this.headerHash = headerHash;
        this.file = file;
        this.free = free;
        this.chain = chain;
        this.blocksAfterCompress = chain.size();
    }

    /**
     * Formats a new arena: its first data block is the first log block, which
     * records the arena's free range, its own allocation and a barrier for
     * generation 0. Writes the log block (not forced).
     */
    public static Arena format(ArenaHeader header, long headerHash, StoreFile file) {
        FreeRanges free = new FreeRanges();
        free.free(header.dataStart(), header.dataSize());
        long first = free.takeFirst();
        Arena a = new Arena(header, headerHash, file, free, new ArrayList<>(List.of(first)));
        LogBlock.init(a.tail);
        a.tailTo(LogBlock.append(a.tail, 0, LogBlock.OP_FREE, header.dataStart(), header.dataSize()));
        a.tailTo(LogBlock.append(a.tail, a.tailLength, LogBlock.OP_ALLOC1, first, 0));
        a.tailTo(LogBlock.append(a.tail, a.tailLength, LogBlock.OP_SYNC, 0, 0));
        a.writeTail();
        return a;
    }

    /** Rebuilds an arena from its log as the superblock of generation {@code syncGen} recorded it. */
    public static Arena recover(ArenaHeader header, ArenaState state, long syncGen, StoreFile file) {
        Replay r = replay(header, state, syncGen, file);
        Arena a = new Arena(header, state.headerHash(), file, r.free, r.chain);
        System.arraycopy(r.tail, 0, a.tail, 0, r.tail.length);
        a.tailTo(state.tailLength());
        return a;
    }

    /** The arena's log as replayed from disk: what mount and check both start from. */
    public record Replay(FreeRanges free, List<Long> chain, byte[] tail) {
    }

    /**
     * Replays the log chain from {@code state.headAddr()}: every block before
     * the recorded tail is verified against its own hash; the tail's first
     * {@code tailLength} entry bytes against the superblock's hash, so a torn
     * rewrite of the tail after that sync cannot mislead recovery.
     */
    public static Replay replay(ArenaHeader header, ArenaState state, long syncGen, StoreFile file) {
        FreeRanges free = new FreeRanges();
        long[] used = {header.dataSize()};
        List<Long> chain = new ArrayList<>();
        byte[] buf = new byte[BlockFormat.BLOCK_SIZE];
        long addr = state.headAddr();
        long maxBlocks = header.dataSize() / BlockFormat.BLOCK_SIZE;
        while (true) {
            if (!header.contains(addr) || !BlockFormat.aligned(addr) || chain.size() > maxBlocks) {
                throw new CorruptBlockException(String.format(
                        "arena %d: allocation log chain is corrupt: bad log block address 0x%x", header.index(), addr));
            }
            chain.add(addr);
            file.read(ByteBuffer.wrap(buf), addr);
            boolean isTail = addr == state.tailAddr();
            int length;
            if (isTail) {
                length = state.tailLength();
                if (LogBlock.type(buf) != BlockFormat.TYPE_LOG || length > BlockFormat.LOG_SPACE
                        || LogBlock.entriesHash(buf, length) != state.tailHash()) {
                    throw new CorruptBlockException(String.format(
                            "log block at 0x%x (arena %d tail) is corrupt: its entries do not match the superblock's hash",
                            addr, header.index()));
                }
            } else {
                length = LogBlock.logsz(buf);
                if (LogBlock.type(buf) != BlockFormat.TYPE_LOG || length > BlockFormat.LOG_SPACE
                        || LogBlock.entriesHash(buf, length) != LogBlock.storedHash(buf)) {
                    throw new CorruptBlockException(String.format(
                            "log block at 0x%x (arena %d) is corrupt: its hash does not match", addr, header.index()));
                }
            }
            long at = addr;
            try {
                LogBlock.decode(buf, length, e -> apply(e, free, used, syncGen));
            } catch (IllegalStateException | IllegalArgumentException e) {
                throw new CorruptBlockException(String.format(
                        "log block at 0x%x (arena %d) is corrupt: %s", at, header.index(), e.getMessage()));
            }
            if (isTail) {
                break;
            }
            addr = LogBlock.next(buf);
            if (addr == -1) {
                throw new CorruptBlockException(String.format(
                        "arena %d: allocation log is corrupt: the chain ends at 0x%x before the recorded tail 0x%x",
                        header.index(), at, state.tailAddr()));
            }
        }
        if (used[0] != state.used() || chain.size() != state.logBlocks()) {
            throw new CorruptBlockException(String.format(
                    "arena %d: allocation log is corrupt: replay gives %d bytes used in %d log blocks, the superblock says %d in %d",
                    header.index(), used[0], chain.size(), state.used(), state.logBlocks()));
        }
        return new Replay(free, chain, buf);
    }

    private static void apply(LogBlock.Entry e, FreeRanges free, long[] used, long syncGen) {
        switch (e.op()) {
            case LogBlock.OP_NOP -> { }
            case LogBlock.OP_ALLOC1, LogBlock.OP_ALLOC -> {
                free.grab(e.offset(), e.length());
                used[0] += e.length();
            }
            case LogBlock.OP_FREE1, LogBlock.OP_FREE -> {
                free.free(e.offset(), e.length());
                used[0] -= e.length();
            }
            case LogBlock.OP_SYNC -> {
                if (e.syncGen() > syncGen) {
                    throw new IllegalStateException("barrier for generation " + e.syncGen()
                            + " inside the log of generation " + syncGen);
                }
            }
            default -> throw new IllegalStateException("unknown log op " + e.op());
        }
    }

    public ArenaHeader header() {
        return header;
    }

    /** Sets who hears of full log blocks written from now on; call before the arena is shared. */
    public void onFullBlockWritten(FullBlockListener listener) {
        this.fullBlocks = listener;
    }

    public int index() {
        return header.index();
    }

    public boolean contains(long addr) {
        return header.contains(addr);
    }

    // ---- allocation (lock held)

    /**
     * Allocates one block and logs it, or returns -1 when the arena has
     * none left outside what {@code use} must leave of its reserve.
     *
     * @param use more than {@link Reserve#NONE} for a removal only (gefs's
     *            {@code usereserve}): a store that puts filled must still
     *            delete, and a copy-on-write delete writes new nodes before
     *            it frees the old ones
     */
    public long alloc(Reserve use) {
        long addr = take(use.keep(header.reserve()));
        if (addr != -1) {
            logAppend(LogBlock.OP_ALLOC1, addr, 0);
        }
        return addr;
    }

    /** Takes a block without logging it, or returns -1 when the arena is full outside its reserve. */
    public long reserve() {
        long addr = take(header.reserve());
        if (addr != -1) {
            reserved.add(addr);
        }
        return addr;
    }

    /** Logs the allocation of a reserved block: from now on it is allocated like any other. */
    public void claim(long addr) {
        if (!reserved.remove(addr)) {
            throw new IllegalStateException(String.format("claim of block 0x%x that is not reserved", addr));
        }
        logAppend(LogBlock.OP_ALLOC1, addr, 0);
    }

    public boolean isReserved(long addr) {
        return reserved.contains(addr);
    }

    /**
     * Gives a reserved block back. It was never logged, so nothing is; it
     * stays unreleased (free on disk, not allocatable) until {@link #release}:
     * a syncer may hold a write of it in a batch not yet issued, and this
     * arena writes its log blocks directly, so the address may be handed out
     * again only once the syncers have passed that write.
     */
    public void unreserve(long addr) {
        if (!reserved.remove(addr) || !unreleased.add(addr)) {
            throw new IllegalStateException(String.format("unreserve of block 0x%x that is not reserved", addr));
        }
    }

    /** A block, or -1 when taking one would leave fewer than {@code keep} bytes free. */
    private long take(long keep) {
        if (free.bytes() - BlockFormat.BLOCK_SIZE < keep) {
            return -1;
        }
        return free.takeFirst();
    }

    /** Logs the free of a block that no root can reach; it stays unreleased until {@link #release}. */
    public void logFree(long addr) {
        if (!contains(addr) || free.isFree(addr) || !unreleased.add(addr)) {
            throw new IllegalStateException(String.format("double free of block 0x%x in arena %d", addr, index()));
        }
        logAppend(LogBlock.OP_FREE1, addr, 0);
    }

    /**
     * Records the free of a block that a root being synced (generation
     * {@code protectedGen} or older) may still reach. It is logged at the
     * first sync started after it, whose root cannot reach it.
     */
    public void deferFree(long addr, long born, long protectedGen) {
        deferred.add(new long[] {addr, protectedGen, born});
    }

    /**
     * A block whose free a sync made durable, and the generation it was born
     * in ({@link dev.cairn.engine.epoch.Epochs#BORN_ANY_TIME} for a log
     * block): it may be reused once no reader can still see it.
     */
    public record Released(long addr, long born) {
    }

    /** Makes a logged-free block allocatable again. */
    public void release(long addr) {
        if (!unreleased.remove(addr)) {
            throw new IllegalStateException(String.format("release of block 0x%x that was not freed", addr));
        }
        free.free(addr, BlockFormat.BLOCK_SIZE);
    }

    /** Asks for the log to be compressed at the next sync. */
    public void requestCompress() {
        compressRequested = true;
    }

    private void logAppend(int op, long off, long len) {
        if (tailLength >= BlockFormat.LOG_SPACE - BlockFormat.LOG_SLOP) {
            long next = take(0);
            if (next == -1) {
                throw new StoreFullException("arena " + index() + " has no block left, not even in its reserve, for its allocation log");
            }
            // Record the next block's allocation in the full block, chain to it,
            // and write the full block now: it is never rewritten again.
            tailTo(LogBlock.append(tail, tailLength, LogBlock.OP_ALLOC1, next, 0));
            LogBlock.finalizeHeader(tail, tailLength, next);
            writeFull(chain.get(chain.size() - 1));
            LogBlock.init(tail);
            tailTo(0);
            chain.add(next);
            chainings++;
        }
        tailTo(LogBlock.append(tail, tailLength, op, off, len));
        logDirty = true;
    }

    /** Writes {@code tail} as a full block of the chain at {@code addr}. */
    private void writeFull(long addr) {
        file.write(ByteBuffer.wrap(tail), addr);
        fullBlocks.written(addr, dev.cairn.engine.block.BlockHash.ofBlock(tail));
    }

    private void writeTail() {
        tailHash = LogBlock.finalizeHeader(tail, tailLength, -1);
        file.write(ByteBuffer.wrap(tail), chain.get(chain.size() - 1));
    }

    // ---- sync (segment write lock and arena lock held)

    /**
     * Sync pass 0 for this arena: logs the deferred frees that generation
     * {@code gen}'s root cannot reach, compresses the log when it has doubled
     * since the last compression, appends the barrier for {@code gen} and
     * writes the tail. Blocks whose frees this sync makes durable are added to
     * {@code releaseAfterSync}: they may be reused once the sync completes.
     *
     * @return what the superblock of {@code gen} records of this arena
     */
    public ArenaState seal(long gen, List<Released> releaseAfterSync) {
        for (var it = deferred.iterator(); it.hasNext(); ) {
            long[] d = it.next();
            if (d[1] < gen) {
                logFree(d[0]);
                releaseAfterSync.add(new Released(d[0], d[2]));
                it.remove();
            }
        }
        if (compressRequested || chain.size() >= Math.max(MIN_LOG_BLOCKS_TO_COMPRESS, 2 * blocksAfterCompress)) {
            compressRequested = false;
            compress(releaseAfterSync);
        }
        if (logDirty) {
            tailTo(LogBlock.append(tail, tailLength, LogBlock.OP_SYNC, gen, 0));
            writeTail();
            logDirty = false;
        }
        return state();
    }

    public ArenaState state() {
        if (tailHash == null) {
            tailHash = LogBlock.entriesHash(tail, tailLength);
        }
        return new ArenaState(chain.get(0), chain.get(chain.size() - 1), tailLength, chain.size(),
                tailHash, used(), headerHash);
    }

    /**
     * Every change of the tail's entries goes through here (they change only
     * as its length does, or are reset with it): a sync asks every arena for
     * its state, and most have not changed since the last.
     */
    private void tailTo(int length) {
        tailLength = length;
        tailHash = null;
    }

    /**
     * Rewrites the log as the current free ranges (gefs {@code compresslog}).
     * The new chain's blocks are taken first, so the ranges written exclude
     * them; reserved blocks are written as frees (they are free on disk until
     * claimed); unreleased blocks and the old chain's blocks are written as frees
     * but released only after this sync completes, because until then the old
     * chain is what a mount would read.
     */
    private void compress(List<Released> releaseAfterSync) {
        List<Long> oldChain = new ArrayList<>(chain);
        int perBlock = BlockFormat.LOG_SPACE - BlockFormat.LOG_SLOP;
        int entryBytes = 16 * (free.count() + 2) + 8 * (unreleased.size() + reserved.size() + oldChain.size());
        int needed = entryBytes / perBlock + 2;
        if (free.bytes() < (long) (needed + 1) * BlockFormat.BLOCK_SIZE) {
            return; // no room to rewrite: keep appending to the old log
        }
        List<Long> fresh = new ArrayList<>();
        for (int i = 0; i < needed; i++) {
            fresh.add(free.takeFirst());
        }
        List<long[]> entries = new ArrayList<>();
        free.forEach((off, len) -> entries.add(new long[] {LogBlock.OP_FREE, off, len}));
        for (long u : unreleased) {
            entries.add(new long[] {LogBlock.OP_FREE1, u, 0});
        }
        for (long r : reserved) { // free on disk until claimed
            entries.add(new long[] {LogBlock.OP_FREE1, r, 0});
        }
        for (long old : oldChain) {
            entries.add(new long[] {LogBlock.OP_FREE1, old, 0});
        }
        int used = 0;
        LogBlock.init(tail);
        tailTo(0);
        for (long[] e : entries) {
            if (tailLength >= perBlock) {
                long next = fresh.get(used + 1);
                LogBlock.finalizeHeader(tail, tailLength, next);
                writeFull(fresh.get(used));
                used++;
                LogBlock.init(tail);
                tailTo(0);
            }
            tailTo(LogBlock.append(tail, tailLength, (int) e[0], e[1], e[2]));
        }
        chain.clear();
        chain.addAll(fresh.subList(0, used + 1));
        for (long old : oldChain) {
            unreleased.add(old);
            releaseAfterSync.add(new Released(old, dev.cairn.engine.epoch.Epochs.BORN_ANY_TIME));
        }
        // Blocks taken for the chain but not needed: free in the new log, and
        // free at once, since no durable state ever used them.
        for (long spare : fresh.subList(used + 1, fresh.size())) {
            logAppend(LogBlock.OP_FREE1, spare, 0);
            free.free(spare, BlockFormat.BLOCK_SIZE);
        }
        blocksAfterCompress = chain.size();
        logDirty = true;
        compressions++;
    }

    // ---- figures (lock held)

    /** Bytes in use as the log has it: allocated and not logged free (a reserved block is free there). */
    public long used() {
        return header.dataSize() - free.bytes()
                - (long) (unreleased.size() + reserved.size()) * BlockFormat.BLOCK_SIZE;
    }

    public long freeBytes() {
        return free.bytes();
    }

    public int logBlocks() {
        return chain.size();
    }

    /** Times a full log block chained to a new one. */
    public long chainings() {
        return chainings;
    }

    /** Times the log was rewritten as its free ranges. */
    public long compressions() {
        return compressions;
    }

    public boolean isFree(long addr) {
        return free.isFree(addr);
    }

    public boolean hasDeferred() {
        return !deferred.isEmpty();
    }
}
