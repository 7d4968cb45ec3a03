package dev.cairn.engine;

import dev.cairn.api.StoreFullException;
import dev.cairn.engine.alloc.Arena;
import dev.cairn.engine.alloc.ArenaHeader;
import dev.cairn.engine.alloc.Reserve;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The arenas of one store file, and which of them a new block comes from
 * (gefs's {@code blkalloc}/{@code pickarena}). Each arena's state is guarded
 * by its own lock, taken here one arena at a time; a caller that must keep
 * allocation out of a sync's pass 0 holds the block store's segment lock
 * (shared) around these calls, as the lock order there says.
 */
final class ArenaSet {

    private final Arena[] arenas;
    private final Path path;
    private final AtomicLong valueHints = new AtomicLong();
    /** Set when an allocation found no free block; {@link #takeFoundFull} reads and clears it. */
    private volatile boolean foundFull;
    /** Set on a thread running a removal: how much of the reserve its allocations may use. */
    private final ThreadLocal<Reserve> removing = new ThreadLocal<>();

    ArenaSet(Arena[] arenas, Path path) {
        this.arenas = arenas;
        this.path = path;
    }

    Arena[] all() {
        return arenas;
    }

    /** A block for the tree or a value, logged as allocated; from the reserve only within {@link #removing}. */
    long allocate(int hint) {
        Reserve use = removing.get() != null ? removing.get() : Reserve.NONE;
        return pick(hint, a -> a.alloc(use));
    }

    /** A block taken but not logged (see {@code BlockStore.newReservedBlock}); never from the reserve. */
    long reserve(int hint) {
        return pick(hint, Arena::reserve);
    }

    /**
     * The hint for one large value's data blocks: pass it for every chunk of
     * the value. The chunks then come from one arena one after another, and
     * a syncer writes them as one long write instead of one write a block
     * (gefs gives a file one hint for the same reason). Successive values get
     * successive arenas, so concurrent writers seldom share one, and none
     * starts from the arena tree nodes (hint 0) start from.
     */
    int valueHint() {
        int others = arenas.length - 1;
        return others == 0 ? 0 : 1 + (int) (valueHints.getAndIncrement() % others);
    }

    /**
     * Runs {@code work}, a removal (a commit whose every write is a delete,
     * a snapshot deletion, the rollback of a prepared branch), letting the
     * blocks it allocates come from the arenas' reserve as far as {@code use}
     * says; within another removal, as far as the more generous of the two
     * does. A put never may: the reserve is what lets a store that puts
     * filled delete, and so get its space back.
     */
    <T> T removing(Reserve use, Supplier<T> work) {
        Reserve outer = removing.get();
        removing.set(outer != null && outer.compareTo(use) > 0 ? outer : use);
        try {
            return work.get();
        } finally {
            if (outer == null) {
                removing.remove();
            } else {
                removing.set(outer);
            }
        }
    }

    /** Whether an allocation found the store full since the last call; clears the mark. */
    boolean takeFoundFull() {
        boolean was = foundFull;
        foundFull = false;
        return was;
    }

    /** Logs the allocation of a reserved block. */
    void claim(long addr) {
        Arena a = of(addr);
        a.lock.lock();
        try {
            a.claim(addr);
        } finally {
            a.lock.unlock();
        }
    }

    /** Asks every arena to compress its allocation log at the next sync. */
    void requestCompress() {
        for (Arena a : arenas) {
            a.lock.lock();
            try {
                a.requestCompress();
            } finally {
                a.lock.unlock();
            }
        }
    }

    /** The arena holding {@code addr} in its data area, or null. */
    Arena of(long addr) {
        int lo = 0;
        int hi = arenas.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            ArenaHeader h = arenas[mid].header();
            if (addr < h.dataStart()) {
                hi = mid - 1;
            } else if (addr >= h.end()) {
                lo = mid + 1;
            } else {
                return arenas[mid];
            }
        }
        return null;
    }

    /**
     * The hint's arena first, then the next ones: try-lock every arena once,
     * then wait. An arena gives its lowest free block, so blocks a commit
     * freed are taken again before the file's untouched space is: moving on
     * to the next arena every 1024 allocations instead, as this once did,
     * spread a small store over all its arenas while the blocks it freed
     * stayed free, and the file grew to 2.14 bytes on disk per byte of 1 KiB
     * values where one arena kept it at 1.28 ({@code SpaceBench}). Large
     * values get hints of their own ({@link #valueHint}), so concurrent
     * writers still seldom share an arena.
     */
    private long pick(int hint, ToLongFunction<Arena> take) {
        int n = arenas.length;
        long base = Integer.toUnsignedLong(hint);
        for (int tries = 0; tries < 2 * n; tries++) {
            Arena a = arenas[(int) ((base + tries) % n)];
            if (tries < n) {
                if (!a.lock.tryLock()) {
                    continue;
                }
            } else {
                a.lock.lock();
            }
            try {
                long addr = take.applyAsLong(a);
                if (addr != -1) {
                    return addr;
                }
            } finally {
                a.lock.unlock();
            }
        }
        foundFull = true;
        throw new StoreFullException("store " + path + " is full: no arena has a free block"
                + (removing.get() != null ? ", not even in the part of its reserve a removal may use"
                : " outside its reserve (kept for deletes: delete keys or snapshots to make room)"));
    }
}
