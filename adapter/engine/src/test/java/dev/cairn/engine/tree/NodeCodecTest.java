package dev.cairn.engine.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.CorruptBlockException;
import dev.cairn.engine.block.Bptr;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The packed node format: what packing writes, and what unpacking gives back and refuses. */
class NodeCodecTest {

    private static byte[] key(int i) {
        return String.format("key-%05d", i).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] value(Random rnd) {
        byte[] v = new byte[rnd.nextInt(120)];
        rnd.nextBytes(v);
        return v;
    }

    private static Leaf leaf(Random rnd, int n) {
        Leaf l = new Leaf();
        for (int i = n - 1; i >= 0; i--) { // out of order on purpose: put keeps them sorted
            l.put(key(i * 2), value(rnd));
        }
        return l;
    }

    private static Pivot pivot(Random rnd) {
        Pivot p = new Pivot();
        for (int i = 0; i < 40; i++) {
            p.children.add(new Pivot.Child(i == 0 ? Keys.LOWEST : key(i * 10), new Bptr(0x4000L * (i + 1), rnd.nextLong(), 7),
                    rnd.nextInt(TreeFormat.BLOCK)));
        }
        for (int i = 0; i < 50; i++) {
            p.addMessage(i % 3 == 0 ? Msg.delete(key(i * 7)) : Msg.put(key(i * 7), value(rnd)));
        }
        return p;
    }

    /** Tree blocks are allocated without zeroing (BlockStore.newBlockToOverwrite): packing must set every byte. */
    @Test
    void packingSetsEveryByteOfTheBlock() {
        Random rnd = new Random(3);
        for (Node n : new Node[] {leaf(rnd, 90), pivot(rnd), new Leaf()}) {
            byte[] clean = new byte[TreeFormat.BLOCK];
            byte[] dirty = new byte[TreeFormat.BLOCK];
            rnd.nextBytes(dirty);
            NodeCodec.pack(n, clean);
            NodeCodec.pack(n, dirty);
            assertArrayEquals(clean, dirty, n.getClass().getSimpleName() + " packed into a used buffer differs");
        }
    }

    @Test
    void aLeafComesBackAsItWasPackedAndIsReadInPlace() {
        Random rnd = new Random(4);
        Leaf l = leaf(rnd, 90);
        l.remove(key(10));
        l.put(key(11), "odd".getBytes(StandardCharsets.US_ASCII));
        byte[] block = new byte[TreeFormat.BLOCK];
        NodeCodec.pack(l, block);
        Leaf back = (Leaf) NodeCodec.unpack(block, Bptr.NONE);
        assertEquals(l.count(), back.count());
        assertEquals(l.size(), back.size());
        SearchIndex inPlace = NodeCodec.searchIndexes(block)[0];
        for (int i = 0; i < l.count(); i++) {
            assertArrayEquals(l.key(i), back.key(i));
            assertArrayEquals(l.value(i), back.value(i));
            assertArrayEquals(l.value(i), NodeCodec.leafValue(block, inPlace.find(l.key(i))));
        }
        assertEquals(-1, inPlace.find(key(10)));
        assertArrayEquals("odd".getBytes(StandardCharsets.US_ASCII), NodeCodec.leafValue(block, inPlace.find(key(11))));
        Arrays.fill(block, (byte) 0); // the decoded leaf holds its own copy of the block
        assertArrayEquals(l.value(5), back.value(5));
    }

    @Test
    void aLeafWhoseKeysAreOutOfOrderIsCorrupt() {
        Leaf l = new Leaf();
        l.put(key(1), new byte[] {1});
        l.put(key(2), new byte[] {2});
        byte[] block = new byte[TreeFormat.BLOCK];
        NodeCodec.pack(l, block);
        // Swap the two entries of the offset table: the records now come in descending key order.
        byte a0 = block[TreeFormat.LEAF_HEADER];
        byte a1 = block[TreeFormat.LEAF_HEADER + 1];
        block[TreeFormat.LEAF_HEADER] = block[TreeFormat.LEAF_HEADER + 2];
        block[TreeFormat.LEAF_HEADER + 1] = block[TreeFormat.LEAF_HEADER + 3];
        block[TreeFormat.LEAF_HEADER + 2] = a0;
        block[TreeFormat.LEAF_HEADER + 3] = a1;
        CorruptBlockException e = assertThrows(CorruptBlockException.class,
                () -> NodeCodec.unpack(block, new Bptr(0x8000, 1, 1)));
        assertTrue(e.getMessage().contains("0x8000") && e.getMessage().contains("out of key order"), e.getMessage());
    }

    /**
     * A decoded leaf copies only the record bytes its header counts; a
     * header that counts too few, or so many that they would cover the
     * offset table, or a record running past the block's end, makes the
     * block corrupt, not an index error.
     */
    @Test
    void aLeafWhoseRecordBytesDisagreeWithItsOffsetsIsCorrupt() {
        Leaf l = new Leaf();
        l.put(key(1), new byte[] {1});
        l.put(key(2), new byte[] {2});
        byte[] block = new byte[TreeFormat.BLOCK];
        NodeCodec.pack(l, block);
        int valsz = (block[4] & 0xff) << 8 | block[5] & 0xff;
        for (int wrong : new int[] {valsz - 1, TreeFormat.BLOCK - TreeFormat.LEAF_HEADER}) {
            byte[] bad = block.clone();
            bad[4] = (byte) (wrong >> 8);
            bad[5] = (byte) wrong;
            CorruptBlockException e = assertThrows(CorruptBlockException.class,
                    () -> NodeCodec.unpack(bad, new Bptr(0x8000, 1, 1)), "record bytes " + wrong);
            assertTrue(e.getMessage().contains("0x8000"), e.getMessage());
        }
        // A record whose key length runs past the block's end.
        byte[] bad = block.clone();
        int last = (block[TreeFormat.LEAF_HEADER] & 0xff) << 8 | block[TreeFormat.LEAF_HEADER + 1] & 0xff;
        bad[last] = (byte) 0xff;
        bad[last + 1] = (byte) 0xff;
        CorruptBlockException e = assertThrows(CorruptBlockException.class,
                () -> NodeCodec.unpack(bad, new Bptr(0x8000, 1, 1)), "a key running past the end");
        assertTrue(e.getMessage().contains("0x8000"), e.getMessage());
    }

    /** A pivot's buffer is rebuilt from its block in one pass, so its order is checked on the way in. */
    @Test
    void aPivotComesBackAsItWasPackedAndOneWithItsBufferOutOfOrderIsCorrupt() {
        Pivot p = pivot(new Random(5));
        byte[] block = new byte[TreeFormat.BLOCK];
        NodeCodec.pack(p, block);
        Pivot back = (Pivot) NodeCodec.unpack(block, Bptr.NONE);
        assertEquals(p.size(), back.size());
        assertEquals(p.buffer.size(), back.buffer.size());
        for (Msg m : p.buffer.all()) {
            Msg b = back.buffer.get(m.key()); // a search of the rebuilt buffer: its order must be key order
            assertEquals(m.op(), b.op());
            assertArrayEquals(m.value(), b.value());
        }
        for (int i = 0; i < p.children.size(); i++) {
            assertEquals(p.messagesFor(i).size(), back.messagesFor(i).size(), "messages for child " + i);
        }
        assertEquals(p.bufferBytes(), back.split().stream().mapToInt(x -> x.bufferBytes()).sum(),
                "splitting hands every message to a part");
        // Swap the first two entries of the buffer's offset table.
        int t = TreeFormat.HALF;
        byte a0 = block[t];
        byte a1 = block[t + 1];
        block[t] = block[t + 2];
        block[t + 1] = block[t + 3];
        block[t + 2] = a0;
        block[t + 3] = a1;
        CorruptBlockException e = assertThrows(CorruptBlockException.class,
                () -> NodeCodec.unpack(block, new Bptr(0xc000, 1, 1)));
        assertTrue(e.getMessage().contains("0xc000") && e.getMessage().contains("out of key order"), e.getMessage());
    }
}
