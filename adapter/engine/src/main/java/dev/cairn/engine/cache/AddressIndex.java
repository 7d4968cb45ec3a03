package dev.cairn.engine.cache;

import java.util.function.Consumer;

/**
 * A segment's cached blocks by address: venti's dcache hash table, a fixed
 * array of chain heads with the chain link kept in the block itself
 * ({@link CachedBlock#nextInIndex}). A lookup touches the head slot and the
 * blocks of one short chain, where a {@code HashMap<Long, CachedBlock>}
 * touched its table, an entry, a boxed key and then the block: on a point
 * read of a cold leaf those were cache misses, and most of the lookup's time.
 *
 * <p>Not thread-safe: the segment's lock guards it. A block is in the index
 * at most once, under its {@code addr} at the time it was put.
 */
final class AddressIndex {

    private final CachedBlock[] heads;
    private final int shift;
    private int size;

    /** An index sized for about {@code blocks} blocks (chains of one on average). */
    AddressIndex(int blocks) {
        int slots = Integer.highestOneBit(Math.max(16, blocks - 1) * 2);
        heads = new CachedBlock[slots];
        shift = 64 - Integer.numberOfTrailingZeros(slots);
    }

    private int slot(long addr) {
        // Fibonacci hashing: the high bits of the product spread block-aligned addresses evenly.
        return (int) ((addr * 0x9E3779B97F4A7C15L) >>> shift);
    }

    /** The block under {@code addr}, or null. */
    CachedBlock get(long addr) {
        for (CachedBlock b = heads[slot(addr)]; b != null; b = b.nextInIndex) {
            if (b.addr == addr) {
                return b;
            }
        }
        return null;
    }

    /** Puts {@code b} under its address, replacing (and returning) the block there before, if any. */
    CachedBlock put(CachedBlock b) {
        CachedBlock old = remove(b.addr);
        int s = slot(b.addr);
        b.nextInIndex = heads[s];
        heads[s] = b;
        size++;
        return old;
    }

    /** Removes and returns the block under {@code addr}, or null. */
    CachedBlock remove(long addr) {
        int s = slot(addr);
        CachedBlock prev = null;
        for (CachedBlock b = heads[s]; b != null; prev = b, b = b.nextInIndex) {
            if (b.addr == addr) {
                if (prev == null) {
                    heads[s] = b.nextInIndex;
                } else {
                    prev.nextInIndex = b.nextInIndex;
                }
                b.nextInIndex = null;
                size--;
                return b;
            }
        }
        return null;
    }

    int size() {
        return size;
    }

    void forEach(Consumer<CachedBlock> action) {
        for (CachedBlock head : heads) {
            for (CachedBlock b = head; b != null; b = b.nextInIndex) {
                action.accept(b);
            }
        }
    }
}
