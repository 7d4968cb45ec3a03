package dev.cairn.engine.tree;

import dev.cairn.api.CorruptBlockException;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.block.Bptr;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Packs and unpacks tree nodes, and looks keys up in packed nodes without
 * unpacking them. In both node types a table of 2-byte record offsets grows
 * from the front, sorted by key, and the records pack from the back in any
 * order, so a lookup is a binary search over the table (gefs); readers
 * search through a {@link SearchIndex} over it.
 *
 * <p>Leaf, big-endian:
 * <pre>
 *  0 u16 type = 2 | 2 u16 nval | 4 u16 valsz (record bytes)
 *  6 nval x u16 record offsets, by key
 *    records, packed back from the block's end: klen u16, key, vlen u16, value
 * </pre>
 * Pivot:
 * <pre>
 *  0 u16 type = 1 | 2 u16 nval (children) | 4 u16 valsz | 6 u16 nbuf (messages) | 8 u16 bufsz
 * 10 nval x u16 child offsets, by key; child records packed back from 8192:
 *      klen u16, key (lowest key the child covers), Bptr (24), fill u16 (the child's used bytes)
 * 8192 nbuf x u16 message offsets, by key; message records packed back from the block's end:
 *      klen u16, key, op u8 (1 put, 2 delete), vlen u16, value
 * </pre>
 */
final class NodeCodec {

    private NodeCodec() {
    }

    // ---- packing

    /** Packs {@code n} into {@code buf}, every byte of which it sets (a block's unused middle is zero). */
    static void pack(Node n, byte[] buf) {
        if (n instanceof Leaf l) {
            packLeaf(l, buf);
        } else {
            packPivot((Pivot) n, buf);
        }
    }

    private static void packLeaf(Leaf l, byte[] buf) {
        int n = l.count();
        int slot = TreeFormat.LEAF_HEADER;
        int end = TreeFormat.BLOCK;
        for (int i = 0; i < n; i++) {
            int len = l.recordSize(i);
            end -= len;
            check(slot + 2 <= end, "leaf overflows its block");
            l.copyRecord(i, len, buf, end);
            putU16(buf, slot, end);
            slot += 2;
        }
        Arrays.fill(buf, slot, end, (byte) 0);
        putU16(buf, 0, BlockFormat.TYPE_LEAF);
        putU16(buf, 2, n);
        putU16(buf, 4, TreeFormat.BLOCK - end);
    }

    private static void packPivot(Pivot p, byte[] buf) {
        ByteBuffer b = ByteBuffer.wrap(buf); // for the child pointers only
        int slot = TreeFormat.PIVOT_HEADER;
        int end = TreeFormat.HALF;
        for (Pivot.Child c : p.children) {
            end -= 2 + c.key.length + Bptr.SIZE + 2;
            check(slot + 2 <= end, "pivot's children overflow their half");
            putU16(buf, slot, end);
            slot += 2;
            putU16(buf, end, c.key.length);
            System.arraycopy(c.key, 0, buf, end + 2, c.key.length);
            c.ptr.pack(b, end + 2 + c.key.length);
            putU16(buf, end + 2 + c.key.length + Bptr.SIZE, packedFill(c.fill));
        }
        Arrays.fill(buf, slot, end, (byte) 0);
        int valsz = TreeFormat.HALF - end;
        int mslot = TreeFormat.HALF;
        int mend = TreeFormat.BLOCK;
        for (Msg m : p.buffer.all()) {
            byte[] k = m.key();
            byte[] v = m.value();
            mend -= 2 + k.length + 1 + 2 + v.length;
            check(mslot + 2 <= mend, "pivot's buffer overflows its half");
            putU16(buf, mslot, mend);
            mslot += 2;
            putU16(buf, mend, k.length);
            System.arraycopy(k, 0, buf, mend + 2, k.length);
            buf[mend + 2 + k.length] = m.op();
            putU16(buf, mend + 3 + k.length, v.length);
            System.arraycopy(v, 0, buf, mend + 5 + k.length, v.length);
        }
        Arrays.fill(buf, mslot, mend, (byte) 0);
        putU16(buf, 0, BlockFormat.TYPE_PIVOT);
        putU16(buf, 2, p.children.size());
        putU16(buf, 4, valsz);
        putU16(buf, 6, p.buffer.size());
        putU16(buf, 8, TreeFormat.BLOCK - mend);
    }

    /** A child's fill as a pivot records it (capped just under a block), and as unpacking gives it back. */
    static int packedFill(int fill) {
        return Math.min(fill, TreeFormat.BLOCK - 1);
    }

    // ---- unpacking

    static int type(byte[] buf) {
        return u16(buf, 0);
    }

    static Node unpack(byte[] buf, Bptr origin) {
        Node n = switch (type(buf)) {
            case BlockFormat.TYPE_LEAF -> unpackLeaf(buf, origin);
            case BlockFormat.TYPE_PIVOT -> unpackPivot(buf, origin);
            default -> throw corrupt(origin, "not a tree node (type " + type(buf) + ")");
        };
        n.origin = origin;
        return n;
    }

    /**
     * The leaf keeps its entries where they are, in a copy of the block's
     * records (the cache reuses its buffer). Only the records: the offset
     * table and the free middle are not needed, and a bulk load decodes
     * hundreds of leaves a commit, most of them partly empty.
     */
    private static Leaf unpackLeaf(byte[] buf, Bptr origin) {
        int start = TreeFormat.BLOCK - u16(buf, 4);
        int n = u16(buf, 2);
        if (start < TreeFormat.LEAF_HEADER + 2 * n) {
            throw corrupt(origin, "leaf records overlap its offset table");
        }
        byte[] records = Arrays.copyOfRange(buf, start, TreeFormat.BLOCK);
        Leaf l = new Leaf();
        try {
            for (int i = 0; i < n; i++) {
                int at = u16(buf, TreeFormat.LEAF_HEADER + 2 * i) - start;
                if (at < 0) {
                    throw new IllegalArgumentException("a leaf record lies outside its record bytes");
                }
                l.append(records, at);
            }
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw malformed(origin, e);
        }
        return l;
    }

    private static Pivot unpackPivot(byte[] buf, Bptr origin) {
        ByteBuffer b = ByteBuffer.wrap(buf);
        Pivot p = new Pivot();
        try {
            int n = Short.toUnsignedInt(b.getShort(2));
            for (int i = 0; i < n; i++) {
                int at = Short.toUnsignedInt(b.getShort(TreeFormat.PIVOT_HEADER + 2 * i));
                int klen = Short.toUnsignedInt(b.getShort(at));
                byte[] key = Arrays.copyOfRange(buf, at + 2, at + 2 + klen);
                if (i > 0 && Keys.ORDER.compare(p.children.get(i - 1).key, key) >= 0) {
                    throw new IllegalArgumentException("pivot children out of key order");
                }
                Bptr ptr = Bptr.unpack(b, at + 2 + klen);
                int fill = Short.toUnsignedInt(b.getShort(at + 2 + klen + Bptr.SIZE));
                p.children.add(new Pivot.Child(key, ptr, fill));
            }
            int nbuf = Short.toUnsignedInt(b.getShort(6));
            List<Msg> msgs = new ArrayList<>(nbuf);
            for (int i = 0; i < nbuf; i++) {
                msgs.add(message(buf, Short.toUnsignedInt(b.getShort(TreeFormat.HALF + 2 * i))));
            }
            p.buffer.load(msgs);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw malformed(origin, e); // out of order, a record past the block's end, an oversized key or value
        }
        if (p.children.isEmpty()) {
            throw corrupt(origin, "pivot without children");
        }
        return p;
    }

    // ---- lookups in packed nodes

    /**
     * Search indexes of a packed node: a leaf's entries; or a pivot's
     * children, then its buffer.
     */
    static SearchIndex[] searchIndexes(byte[] buf) {
        if (type(buf) == BlockFormat.TYPE_LEAF) {
            return new SearchIndex[] {new SearchIndex(buf, TreeFormat.LEAF_HEADER, u16(buf, 2), SearchIndex.LEAF_HEADS)};
        }
        return new SearchIndex[] {
            new SearchIndex(buf, TreeFormat.PIVOT_HEADER, u16(buf, 2), SearchIndex.PIVOT_HEADS),
            new SearchIndex(buf, TreeFormat.HALF, u16(buf, 6), SearchIndex.PIVOT_HEADS)};
    }

    /** The pointer of the pivot child record at {@code at}. */
    static Bptr childPointer(byte[] buf, int at) {
        return Bptr.unpack(ByteBuffer.wrap(buf), at + 2 + u16(buf, at));
    }

    /** Every child pointer of a packed pivot. */
    static List<Bptr> children(byte[] buf) {
        ByteBuffer b = ByteBuffer.wrap(buf);
        int n = Short.toUnsignedInt(b.getShort(2));
        List<Bptr> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int at = Short.toUnsignedInt(b.getShort(TreeFormat.PIVOT_HEADER + 2 * i));
            out.add(Bptr.unpack(b, at + 2 + Short.toUnsignedInt(b.getShort(at))));
        }
        return out;
    }

    /** Compares the key of the record at {@code at} (klen u16, key, ...) with {@code key}. */
    static int compareKeyAt(byte[] buf, int at, byte[] key) {
        int klen = u16(buf, at);
        return Arrays.compareUnsigned(buf, at + 2, at + 2 + klen, key, 0, key.length);
    }

    /** Compares the keys of two records. */
    static int compareKeys(byte[] a, int atA, byte[] b, int atB) {
        return Arrays.compareUnsigned(a, atA + 2, atA + 2 + u16(a, atA), b, atB + 2, atB + 2 + u16(b, atB));
    }

    /** A leaf record on its own: klen u16, key, vlen u16, value. */
    static byte[] leafRecord(byte[] key, byte[] value) {
        byte[] rec = new byte[2 + key.length + 2 + value.length];
        putU16(rec, 0, key.length);
        System.arraycopy(key, 0, rec, 2, key.length);
        putU16(rec, 2 + key.length, value.length);
        System.arraycopy(value, 0, rec, 4 + key.length, value.length);
        return rec;
    }

    /** Bytes of the leaf record at {@code at}. */
    static int leafRecordSize(byte[] buf, int at) {
        int v = at + 2 + u16(buf, at);
        return v - at + 2 + u16(buf, v);
    }

    static byte[] leafKey(byte[] buf, int at) {
        int klen = u16(buf, at);
        return Arrays.copyOfRange(buf, at + 2, at + 2 + klen);
    }

    static byte[] leafValue(byte[] buf, int at) {
        int v = at + 2 + u16(buf, at);
        int vlen = u16(buf, v);
        return Arrays.copyOfRange(buf, v + 2, v + 2 + vlen);
    }

    /** The buffered message whose record is at {@code at}. */
    static Msg message(byte[] buf, int at) {
        int klen = u16(buf, at);
        byte[] key = Arrays.copyOfRange(buf, at + 2, at + 2 + klen);
        byte op = buf[at + 2 + klen];
        int v = at + 3 + klen;
        int vlen = u16(buf, v);
        return new Msg(op, key, Arrays.copyOfRange(buf, v + 2, v + 2 + vlen));
    }

    /** The big-endian unsigned 16-bit field at {@code at}. */
    private static int u16(byte[] buf, int at) {
        return ((buf[at] & 0xff) << 8) | (buf[at + 1] & 0xff);
    }

    private static void putU16(byte[] buf, int at, int v) {
        buf[at] = (byte) (v >>> 8);
        buf[at + 1] = (byte) v;
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }

    /**
     * A node whose bytes passed their hash but do not parse (only a bug
     * writes such a block): what was wrong with it, as a corrupt block.
     */
    static CorruptBlockException malformed(Bptr at, RuntimeException e) {
        return corrupt(at, e instanceof IndexOutOfBoundsException
                ? "a record runs past the block's end (" + e.getMessage() + ")" : e.getMessage());
    }

    private static CorruptBlockException corrupt(Bptr at, String what) {
        return new CorruptBlockException(String.format("tree node at 0x%x is corrupt: %s", at.addr(), what));
    }
}
