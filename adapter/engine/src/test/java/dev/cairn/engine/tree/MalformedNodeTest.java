package dev.cairn.engine.tree;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.CorruptBlockException;
import dev.cairn.engine.BlockStore;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.cache.CachedBlock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose bytes match their hash but do not parse (only a bug writes
 * one) is reported as a corrupt block naming its address, by whatever reads
 * it: a point read, keys looked up together, a decode for a write. Never an
 * index error from deep inside the parser.
 */
class MalformedNodeTest {

    @TempDir
    Path dir;

    private static final byte[] KEY = {7};

    @Test
    void aLeafRecordRunningPastTheBlockIsACorruptBlockToEveryReader() {
        Leaf l = new Leaf();
        l.put(new byte[] {1}, new byte[] {1});
        l.put(new byte[] {2}, new byte[] {2});
        assertCorrupt(l, buf -> putU16(buf, TreeFormat.LEAF_HEADER, TreeFormat.BLOCK - 1), "past the block's end", true);
    }

    @Test
    void aPivotMessageRunningPastTheBlockIsACorruptBlockToEveryReader() {
        assertCorrupt(pivot(), buf -> putU16(buf, TreeFormat.HALF, TreeFormat.BLOCK - 2), "past the block's end", true);
    }

    /**
     * Children out of order would send writes to the wrong subtree; decoding
     * the pivot for a write says so. (A point read searches the children as
     * they lie, without checking their order.)
     */
    @Test
    void aPivotWithChildrenOutOfOrderIsCorruptWhenDecoded() {
        assertCorrupt(pivot(), buf -> {
            int first = u16(buf, TreeFormat.PIVOT_HEADER + 2);
            putU16(buf, TreeFormat.PIVOT_HEADER + 2, u16(buf, TreeFormat.PIVOT_HEADER + 4));
            putU16(buf, TreeFormat.PIVOT_HEADER + 4, first);
        }, "out of key order", false);
    }

    private static Pivot pivot() {
        Pivot p = new Pivot();
        for (int i = 0; i < 3; i++) {
            p.children.add(new Pivot.Child(i == 0 ? Keys.LOWEST : new byte[] {(byte) (10 * i)},
                    new Bptr(0x4000L * (i + 1), 1, 1), 100));
        }
        p.addMessage(Msg.put(new byte[] {5}, new byte[] {5}));
        p.addMessage(Msg.put(new byte[] {25}, new byte[] {25}));
        return p;
    }

    /**
     * Packs {@code n}, spoils its bytes, writes it (hashed as spoiled), makes
     * it durable, and reads it back each way from the reopened store: from
     * disk, through the read's hash check, which it passes.
     */
    private void assertCorrupt(Node n, Consumer<byte[]> spoil, String why, boolean pointReadsToo) {
        Path file = dir.resolve("s" + System.nanoTime());
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(16L << 20);
        Bptr bp;
        try (BlockStore w = BlockStore.create(file, cfg)) {
            try (CachedBlock b = w.newBlockToOverwrite(n instanceof Leaf ? BlockFormat.TYPE_LEAF : BlockFormat.TYPE_PIVOT, 0)) {
                NodeCodec.pack(n, b.data());
                spoil.accept(b.data());
                bp = w.write(b);
            }
            w.sync(List.of(bp));
        }
        try (BlockStore s = BlockStore.open(file, cfg)) {
            String at = String.format("0x%x", bp.addr());
            List<Runnable> readers = new ArrayList<>();
            readers.add(() -> {
                try (CachedBlock b = s.read(bp)) {
                    NodeCodec.unpack(b.data(), bp);
                }
            });
            if (pointReadsToo) {
                readers.add(() -> Tree.get(s, bp, KEY));
                readers.add(() -> Tree.getAll(s, bp, new byte[][] {{1}, KEY, {30}}));
            }
            for (int i = 0; i < readers.size(); i++) {
                CorruptBlockException e = assertThrows(CorruptBlockException.class, readers.get(i)::run, "reader " + i);
                assertTrue(e.getMessage().contains(at) && e.getMessage().contains(why), e.getMessage());
            }
        }
    }

    private static int u16(byte[] buf, int at) {
        return (buf[at] & 0xff) << 8 | buf[at + 1] & 0xff;
    }

    private static void putU16(byte[] buf, int at, int v) {
        buf[at] = (byte) (v >> 8);
        buf[at + 1] = (byte) v;
    }
}
