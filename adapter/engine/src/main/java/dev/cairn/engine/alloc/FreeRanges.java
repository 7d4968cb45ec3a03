package dev.cairn.engine.alloc;

import dev.cairn.engine.block.BlockFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * The free space of one arena: disjoint ranges ordered by offset. Freeing
 * merges with both neighbours; grabbing splits (gefs {@code freerange} /
 * {@code grabrange}). Not thread safe: the arena's lock guards it.
 */
public final class FreeRanges {

    /** Offset to length; ranges are disjoint and never touch (touching ones merge). */
    private final TreeMap<Long, Long> ranges = new TreeMap<>();
    private long bytes;

    /** Marks {@code [off, off+len)} free; it must not overlap free space. */
    public void free(long off, long len) {
        checkRange(off, len);
        Map.Entry<Long, Long> below = ranges.floorEntry(off);
        if (below != null && below.getKey() + below.getValue() > off) {
            throw new IllegalStateException(String.format("double free: 0x%x+0x%x overlaps free range 0x%x+0x%x",
                    off, len, below.getKey(), below.getValue()));
        }
        Map.Entry<Long, Long> above = ranges.ceilingEntry(off);
        if (above != null && above.getKey() < off + len) {
            throw new IllegalStateException(String.format("double free: 0x%x+0x%x overlaps free range 0x%x+0x%x",
                    off, len, above.getKey(), above.getValue()));
        }
        long start = off;
        long length = len;
        if (below != null && below.getKey() + below.getValue() == off) {
            start = below.getKey();
            length += below.getValue();
        }
        if (above != null && above.getKey() == off + len) {
            length += above.getValue();
            ranges.remove(above.getKey());
        }
        ranges.put(start, length);
        bytes += len;
    }

    /** Marks {@code [off, off+len)} used; it must lie wholly inside one free range. */
    public void grab(long off, long len) {
        checkRange(off, len);
        Map.Entry<Long, Long> r = ranges.floorEntry(off);
        if (r == null || r.getKey() + r.getValue() < off + len) {
            throw new IllegalStateException(String.format("0x%x+0x%x is not free", off, len));
        }
        long rOff = r.getKey();
        long rEnd = rOff + r.getValue();
        ranges.remove(rOff);
        if (rOff < off) {
            ranges.put(rOff, off - rOff);
        }
        if (off + len < rEnd) {
            ranges.put(off + len, rEnd - off - len);
        }
        bytes -= len;
    }

    /** Takes the lowest free block, or returns -1 when none is free. */
    public long takeFirst() {
        Map.Entry<Long, Long> r = ranges.firstEntry();
        if (r == null) {
            return -1;
        }
        long addr = r.getKey();
        grab(addr, BlockFormat.BLOCK_SIZE);
        return addr;
    }

    public boolean isFree(long addr) {
        Map.Entry<Long, Long> r = ranges.floorEntry(addr);
        return r != null && addr < r.getKey() + r.getValue();
    }

    /** Free bytes in all ranges. */
    public long bytes() {
        return bytes;
    }

    public int count() {
        return ranges.size();
    }

    /** Visits each range (offset, length) in offset order. */
    public void forEach(BiConsumer<Long, Long> visitor) {
        ranges.forEach(visitor);
    }

    private static void checkRange(long off, long len) {
        if (len <= 0 || len % BlockFormat.BLOCK_SIZE != 0 || !BlockFormat.aligned(off)) {
            throw new IllegalArgumentException(String.format("bad range 0x%x+0x%x", off, len));
        }
    }
}
