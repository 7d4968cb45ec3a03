package dev.cairn.engine.sync;

import dev.cairn.engine.alloc.ArenaState;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.block.BlockHash;
import dev.cairn.engine.block.Bptr;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Packs and unpacks a superblock: the root of everything a mount needs.
 *
 * <p>Two slots: superblock 0 in the first block of the file, superblock 1 in
 * the last whole block. Sync generation G writes slot {@code G % 2} only, so
 * no single crash can tear both; mount takes the newest valid one.
 *
 * <p>Block layout, big-endian:
 * <pre>
 *   0  u16   type = 6
 *   2  [6]   magic "CAIRN1"
 *   8  u32   block size
 *  12  u32   arena count N
 *  16  u64   flags (bit 0: a manifest follows the arena states)
 *  24  u64   sync generation G of the sync that wrote it
 *  32  u64   next block generation (G + 1)
 *  40  u64   file size the store was formatted with
 *  48  u32   root count R (= {@value #ROOTS})
 *  52  R x Bptr (24 bytes): the roots (0 object tree, 1 snapshot table, 2 prepared transactions, 3 spare)
 *  then N x 56 bytes: h0 address u64, then {@link ArenaState} (48 bytes)
 *  when flags bit 0 is set, the manifest: u32 count M, then M x (address u64, XXH3-64 u64)
 *  then u64 XXH3-64 of every byte before it
 * </pre>
 *
 * <p>The manifest says how this superblock reached the disk. Without one, the
 * sync forced every block before writing the superblock, so a whole
 * superblock is a complete generation. With one, block and superblock were
 * forced together, so a whole superblock may have reached the disk without
 * some of its blocks: the manifest lists every block written since the
 * previous sync's force (save the log tails, which the arena states verify),
 * and mount takes the generation only when each listed block that the
 * generation still has allocated reads back with its hash.
 *
 * @param manifest address and hash of each block this sync wrote unforced, or null
 */
public record Superblock(long syncGen, long nextGen, long fileSize, List<Bptr> roots, long[] arenaStarts,
                         List<ArenaState> arenas, Manifest manifest) {

    /** Blocks written by one sync and forced only with its superblock: parallel arrays of address and hash. */
    public record Manifest(long[] addrs, long[] hashes) {
        public int size() {
            return addrs.length;
        }
    }

    private static final long FLAG_MANIFEST = 1;

    public static final int ROOTS = 4;
    public static final int ROOT_TREE = 0;
    public static final int ROOT_SNAPSHOTS = 1;
    public static final int ROOT_PREPARED = 2;
    public static final int MAX_ARENAS = (BlockFormat.BLOCK_SIZE - 60 - ROOTS * Bptr.SIZE) / (8 + ArenaState.SIZE);

    private static final byte[] MAGIC = "CAIRN1".getBytes(StandardCharsets.US_ASCII);
    private static final int ROOTS_AT = 52;
    private static final int ARENAS_AT = ROOTS_AT + ROOTS * Bptr.SIZE;

    public Superblock {
        if (roots.size() != ROOTS || arenaStarts.length != arenas.size() || arenas.size() > MAX_ARENAS) {
            throw new IllegalArgumentException("superblock needs " + ROOTS + " roots and at most " + MAX_ARENAS + " arenas");
        }
        if (manifest != null && manifest.size() > manifestCapacity(arenas.size())) {
            throw new IllegalArgumentException("a manifest of " + manifest.size() + " blocks does not fit a superblock");
        }
    }

    /** How many manifest entries fit beside {@code arenas} arena states. */
    public static int manifestCapacity(int arenas) {
        return (BlockFormat.BLOCK_SIZE - ARENAS_AT - arenas * (8 + ArenaState.SIZE) - 4 - 8) / 16;
    }

    /** Byte offset of superblock {@code slot} in a file of {@code fileSize} bytes. */
    public static long slotAddr(int slot, long fileSize) {
        return slot == 0 ? 0 : (fileSize / BlockFormat.BLOCK_SIZE - 1) * BlockFormat.BLOCK_SIZE;
    }

    /** The slot generation {@code gen} is written to. */
    public static int slotOf(long gen) {
        return (int) (gen & 1);
    }

    public byte[] pack() {
        byte[] buf = new byte[BlockFormat.BLOCK_SIZE];
        ByteBuffer b = ByteBuffer.wrap(buf);
        b.putShort(0, (short) BlockFormat.TYPE_SUPER);
        System.arraycopy(MAGIC, 0, buf, 2, MAGIC.length);
        b.putInt(8, BlockFormat.BLOCK_SIZE).putInt(12, arenas.size()).putLong(16, manifest == null ? 0 : FLAG_MANIFEST)
                .putLong(24, syncGen).putLong(32, nextGen).putLong(40, fileSize).putInt(48, ROOTS);
        for (int i = 0; i < ROOTS; i++) {
            roots.get(i).pack(b, ROOTS_AT + i * Bptr.SIZE);
        }
        int at = ARENAS_AT;
        for (int i = 0; i < arenas.size(); i++) {
            b.putLong(at, arenaStarts[i]);
            arenas.get(i).pack(b, at + 8);
            at += 8 + ArenaState.SIZE;
        }
        if (manifest != null) {
            b.putInt(at, manifest.size());
            at += 4;
            for (int i = 0; i < manifest.size(); i++) {
                b.putLong(at, manifest.addrs()[i]).putLong(at + 8, manifest.hashes()[i]);
                at += 16;
            }
        }
        b.putLong(at, BlockHash.of(buf, 0, at));
        return buf;
    }

    /** Unpacks a superblock, or returns null when the bytes are not a whole, valid one. */
    public static Superblock unpack(byte[] buf) {
        ByteBuffer b = ByteBuffer.wrap(buf);
        if (b.getShort(0) != BlockFormat.TYPE_SUPER || !Arrays.equals(Arrays.copyOfRange(buf, 2, 8), MAGIC)
                || b.getInt(8) != BlockFormat.BLOCK_SIZE || b.getInt(48) != ROOTS) {
            return null;
        }
        int n = b.getInt(12);
        if (n <= 0 || n > MAX_ARENAS) {
            return null;
        }
        long flags = b.getLong(16);
        if ((flags & ~FLAG_MANIFEST) != 0) {
            return null;
        }
        int end = ARENAS_AT + n * (8 + ArenaState.SIZE);
        Manifest manifest = null;
        if (flags == FLAG_MANIFEST) {
            int m = b.getInt(end);
            if (m < 0 || m > manifestCapacity(n)) {
                return null;
            }
            long[] addrs = new long[m];
            long[] hashes = new long[m];
            for (int i = 0; i < m; i++) {
                addrs[i] = b.getLong(end + 4 + 16 * i);
                hashes[i] = b.getLong(end + 12 + 16 * i);
            }
            manifest = new Manifest(addrs, hashes);
            end += 4 + 16 * m;
        }
        if (b.getLong(end) != BlockHash.of(buf, 0, end)) {
            return null;
        }
        Bptr[] roots = new Bptr[ROOTS];
        for (int i = 0; i < ROOTS; i++) {
            roots[i] = Bptr.unpack(b, ROOTS_AT + i * Bptr.SIZE);
        }
        long[] starts = new long[n];
        ArenaState[] states = new ArenaState[n];
        for (int i = 0; i < n; i++) {
            int at = ARENAS_AT + i * (8 + ArenaState.SIZE);
            starts[i] = b.getLong(at);
            states[i] = ArenaState.unpack(b, at + 8);
        }
        return new Superblock(b.getLong(24), b.getLong(32), b.getLong(40), List.of(roots), starts, List.of(states),
                manifest);
    }
}
