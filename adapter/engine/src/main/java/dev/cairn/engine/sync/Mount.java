package dev.cairn.engine.sync;

import dev.cairn.api.CorruptBlockException;
import dev.cairn.api.StoreFormatException;
import dev.cairn.engine.alloc.ArenaHeader;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.block.BlockHash;
import dev.cairn.engine.disk.StoreFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Finds what a mount starts from: the newest valid superblock whose arenas
 * all load, and each arena's header (h0, or its copy h1 when h0 does not
 * match the superblock's hash). gefs always preferred superblock 0 when it
 * was intact; Cairn compares generations, so an older superblock 0 never
 * hides a newer superblock 1.
 */
public final class Mount {

    /** Loads everything else of a mount from a superblock, or throws CorruptBlockException. */
    @FunctionalInterface
    public interface ArenaLoader<T> {
        T load(Superblock sb, ArenaHeader[] headers);
    }

    /** The superblock chosen and what the loader built from it, plus what was skipped and why. */
    public record Result<T>(Superblock superblock, ArenaHeader[] headers, T loaded, List<String> skipped,
                            PassedOver passedOver) {
    }

    /**
     * The newest whole superblock the mount did not take, because a block it
     * needs did not read back as written: its commits may have been
     * acknowledged (a crash before its force looks the same).
     *
     * @param address the block that failed, or -1 when the failure named none
     */
    public record PassedOver(long generation, long address, String reason) {
    }

    /** A block a generation lists is not on disk as written. */
    static final class IncompleteGeneration extends CorruptBlockException {
        private static final long serialVersionUID = 1L;
        final long address;

        IncompleteGeneration(String message, long address) {
            super(message);
            this.address = address;
        }
    }

    /** The first bytes of a store file of the interim engine that preceded the block engine. */
    private static final byte[] INTERIM_MAGIC = "CAIRN-L1".getBytes(StandardCharsets.US_ASCII);

    private Mount() {
    }

    public static <T> Result<T> mount(StoreFile file, ArenaLoader<T> loader) {
        long size = file.size();
        if (size < 4L * BlockFormat.BLOCK_SIZE) {
            throw new StoreFormatException(file.path() + " is not a Cairn store: " + size + " bytes is too short");
        }
        byte[] head = new byte[INTERIM_MAGIC.length];
        file.read(ByteBuffer.wrap(head), 0);
        if (Arrays.equals(head, INTERIM_MAGIC)) {
            throw new StoreFormatException(file.path() + " was written by the interim engine of an earlier Cairn build"
                    + " (an append-only log); this version cannot read it. Move the file away, and Cairn creates a new"
                    + " store in its place.");
        }
        List<Superblock> candidates = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (int slot = 0; slot < 2; slot++) {
            long addr = Superblock.slotAddr(slot, size);
            byte[] buf = new byte[BlockFormat.BLOCK_SIZE];
            file.read(ByteBuffer.wrap(buf), addr);
            Superblock sb = Superblock.unpack(buf);
            if (sb == null) {
                skipped.add(String.format("superblock %d at 0x%x is corrupt or torn", slot, addr));
            } else {
                candidates.add(sb);
            }
        }
        if (candidates.isEmpty()) {
            throw new StoreFormatException(file.path() + " is not a Cairn store, or both its superblocks are corrupt: "
                    + String.join("; ", skipped));
        }
        candidates.sort(Comparator.comparingLong(Superblock::syncGen).reversed());
        PassedOver passedOver = null;
        for (Superblock sb : candidates) {
            try {
                ArenaHeader[] headers = new ArenaHeader[sb.arenas().size()];
                for (int i = 0; i < headers.length; i++) {
                    headers[i] = header(file, sb.arenaStarts()[i], sb.arenas().get(i).headerHash(), i, skipped);
                }
                return new Result<>(sb, headers, loader.load(sb, headers), skipped, passedOver);
            } catch (CorruptBlockException e) {
                skipped.add("superblock of generation " + sb.syncGen() + ": " + e.getMessage());
                if (passedOver == null) {
                    passedOver = new PassedOver(sb.syncGen(),
                            e instanceof IncompleteGeneration ig ? ig.address : -1, e.getMessage());
                }
            }
        }
        throw new CorruptBlockException(file.path() + " cannot be mounted: " + String.join("; ", skipped));
    }

    /**
     * Throws {@link CorruptBlockException} unless every block {@code sb}'s
     * manifest lists, and its generation has allocated, reads back with the
     * listed hash: a superblock forced together with its blocks is a complete
     * generation only then. A listed block the generation has free is not
     * asked for (it was freed, maybe reused, in that generation or later),
     * nor is an arena's log tail (its arena state verifies it).
     *
     * @param notAskedFor whether a listed address is one of those
     */
    public static void verifyManifest(StoreFile file, Superblock sb, LongPredicate notAskedFor) {
        Superblock.Manifest m = sb.manifest();
        if (m == null) {
            return;
        }
        byte[] buf = new byte[BlockFormat.BLOCK_SIZE];
        for (int i = 0; i < m.size(); i++) {
            long addr = m.addrs()[i];
            if (!BlockFormat.aligned(addr) || addr + BlockFormat.BLOCK_SIZE > sb.fileSize()) {
                throw new CorruptBlockException(String.format(
                        "the manifest of generation %d lists 0x%x, which is not a block of the store", sb.syncGen(), addr));
            }
            if (notAskedFor.test(addr)) {
                continue;
            }
            file.read(ByteBuffer.wrap(buf), addr);
            if (BlockHash.ofBlock(buf) != m.hashes()[i]) {
                throw new IncompleteGeneration(String.format(
                        "generation %d is incomplete: block 0x%x, written with it, is not on disk as written",
                        sb.syncGen(), addr), addr);
            }
        }
    }

    private static ArenaHeader header(StoreFile file, long start, long hash, int index, List<String> skipped) {
        byte[] buf = new byte[BlockFormat.BLOCK_SIZE];
        for (int copy = 0; copy < 2; copy++) {
            long addr = start + (long) copy * BlockFormat.BLOCK_SIZE;
            file.read(ByteBuffer.wrap(buf), addr);
            ArenaHeader h = BlockHash.ofBlock(buf) == hash ? ArenaHeader.unpack(buf) : null;
            if (h != null && h.index() == index && h.start() == start) {
                return h;
            }
            skipped.add(String.format("arena %d header h%d at 0x%x is corrupt", index, copy, addr));
        }
        throw new CorruptBlockException(String.format("arena %d: both headers h0 and h1 at 0x%x are corrupt", index, start));
    }
}
