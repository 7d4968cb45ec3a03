package dev.cairn.engine.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.cairn.engine.block.BlockFormat;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The chained address index agrees with a {@code HashMap} over random puts,
 * replacements, removals and lookups, with many more blocks than slots so
 * that chains grow long and are unlinked at their head, middle and tail.
 */
class AddressIndexTest {

    @Test
    void agreesWithAHashMapThroughLongChains() {
        CacheSegment owner = new CacheSegment(16);
        for (long seed = 1; seed <= 5; seed++) {
            Random rnd = new Random(seed);
            AddressIndex index = new AddressIndex(16); // 32 slots for up to 500 addresses
            Map<Long, CachedBlock> model = new HashMap<>();
            for (int op = 0; op < 20_000; op++) {
                long addr = (long) rnd.nextInt(500) * BlockFormat.BLOCK_SIZE;
                switch (rnd.nextInt(3)) {
                    case 0 -> {
                        CachedBlock b = new CachedBlock(owner);
                        b.addr = addr;
                        assertSame(model.put(addr, b), index.put(b), "seed " + seed + " op " + op + ": put replaces");
                    }
                    case 1 -> assertSame(model.remove(addr), index.remove(addr), "seed " + seed + " op " + op + ": remove");
                    default -> assertSame(model.get(addr), index.get(addr), "seed " + seed + " op " + op + ": get");
                }
                assertEquals(model.size(), index.size());
            }
            Set<CachedBlock> seen = new HashSet<>();
            index.forEach(seen::add);
            assertEquals(new HashSet<>(model.values()), seen, "seed " + seed + ": every block once");
            for (long a = 0; a < 500; a++) {
                long addr = a * BlockFormat.BLOCK_SIZE;
                assertSame(model.get(addr), index.get(addr));
            }
        }
    }

    @Test
    void aRemovedBlockIsUnlinked() {
        CacheSegment owner = new CacheSegment(16);
        AddressIndex index = new AddressIndex(16);
        CachedBlock b = new CachedBlock(owner);
        b.addr = 7L * BlockFormat.BLOCK_SIZE;
        index.put(b);
        assertSame(b, index.remove(b.addr));
        assertNull(b.nextInIndex);
        assertNull(index.get(b.addr));
        assertEquals(0, index.size());
    }
}
