package dev.cairn.engine;

import dev.cairn.api.CairnException;
import dev.cairn.engine.alloc.Arena;
import dev.cairn.engine.alloc.ArenaHeader;
import dev.cairn.engine.alloc.ArenaState;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.block.BlockHash;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.disk.StoreFile;
import dev.cairn.engine.sync.Mount;
import dev.cairn.engine.sync.Superblock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Formatting a store file and mounting one (gefs's {@code ream} and
 * {@code loadfs}): a new file gets its arenas' headers and two superblocks of
 * generation 0, each forced before the next step; an existing one is mounted
 * at its newest superblock whose arenas load and whose manifest reads back
 * (see {@link Mount}), each arena's log replayed to exactly the length that
 * sync recorded. Either way the file, its arenas and the superblock come
 * back for {@link BlockStore} to run on; nothing here stays open on failure.
 */
final class StoreFormat {

    private static final Logger LOG = Logger.getLogger(BlockStore.class.getName());

    /** What a format or a mount hands to the block store. */
    record Opened(StoreFile file, Arena[] arenas, Superblock superblock, Mount.PassedOver passedOver) {
    }

    private StoreFormat() {
    }

    /** Formats a new store of {@code config.sizeBytes()} at {@code path}. */
    static Opened create(Path path, StoreConfig config) {
        long blocks = config.sizeBytes() / BlockFormat.BLOCK_SIZE;
        int n = config.arenas();
        if (n > Superblock.MAX_ARENAS) {
            throw new IllegalArgumentException("at most " + Superblock.MAX_ARENAS + " arenas, asked for " + n);
        }
        long perArena = (blocks - 2) / n;
        if (perArena < 8) {
            throw new IllegalArgumentException("a store of " + config.sizeBytes() + " bytes is too small for "
                    + n + " arenas (each needs at least 8 blocks of " + BlockFormat.BLOCK_SIZE + ")");
        }
        StoreFile f;
        try {
            f = StoreFile.create(path, config.channelOpener());
        } catch (FileAlreadyExistsException e) {
            throw new CairnException("cannot create store " + path + ": the file exists already");
        } catch (IOException e) {
            throw new CairnException("cannot create store " + path + ": " + e, e);
        }
        try {
            long fileSize = blocks * BlockFormat.BLOCK_SIZE;
            Arena[] arenas = new Arena[n];
            long[] starts = new long[n];
            List<ArenaState> states = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long start = (1 + i * perArena) * BlockFormat.BLOCK_SIZE;
                long dataSize = (perArena - 2) * BlockFormat.BLOCK_SIZE;
                // A 32nd of the arena, at most 64 blocks; at least four, so that
                // deletes may use two and a snapshot deletion a third (see
                // Reserve), unless the arena is so small that four would be most
                // of it.
                long reserve = Math.max(2, Math.max(Math.min(4, (perArena - 2) / 4), Math.min(64, (perArena - 2) / 32)))
                        * BlockFormat.BLOCK_SIZE;
                ArenaHeader h = new ArenaHeader(i, start, start + 2L * BlockFormat.BLOCK_SIZE, dataSize, reserve);
                byte[] hb = h.pack();
                f.write(ByteBuffer.wrap(hb), start);
                f.write(ByteBuffer.wrap(hb), start + BlockFormat.BLOCK_SIZE);
                arenas[i] = Arena.format(h, BlockHash.ofBlock(hb), f);
                starts[i] = start;
                states.add(arenas[i].state());
            }
            f.force();
            Superblock sb = new Superblock(0, 1, fileSize, noRoots(), starts, states, null);
            byte[] sbb = sb.pack();
            f.write(ByteBuffer.wrap(sbb), Superblock.slotAddr(0, fileSize));
            f.write(ByteBuffer.wrap(sbb), Superblock.slotAddr(1, fileSize));
            f.force();
            return new Opened(f, arenas, sb, null);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /**
     * Opens a store and recovers it to its last completed sync: the newest
     * valid superblock whose arenas load, each arena's log replayed to
     * exactly the length that sync recorded.
     */
    static Opened open(Path path, StoreConfig config) {
        StoreFile f;
        try {
            f = StoreFile.open(path, config.channelOpener());
        } catch (NoSuchFileException e) {
            throw new CairnException("cannot open store " + path + ": no such file");
        } catch (IOException e) {
            throw new CairnException("cannot open store " + path + ": " + e, e);
        }
        try {
            Mount.Result<Arena[]> m = Mount.mount(f, (sb, headers) -> {
                Arena[] arenas = new Arena[headers.length];
                for (int i = 0; i < headers.length; i++) {
                    arenas[i] = Arena.recover(headers[i], sb.arenas().get(i), sb.syncGen(), f);
                }
                // A tail listed by a store written before tails were left out
                // of manifests is stale, not missing: its arena state verified it.
                Set<Long> tails = new HashSet<>();
                sb.arenas().forEach(st -> tails.add(st.tailAddr()));
                Mount.verifyManifest(f, sb, addr -> {
                    if (tails.contains(addr)) {
                        return true;
                    }
                    for (Arena a : arenas) {
                        if (a.contains(addr)) {
                            return a.isFree(addr);
                        }
                    }
                    return false;
                });
                return arenas;
            });
            if (!m.skipped().isEmpty()) {
                LOG.warning(() -> "store " + path + " opened at generation " + m.superblock().syncGen()
                        + ", passing over: " + String.join("; ", m.skipped()));
            }
            return new Opened(f, m.loaded(), m.superblock(), m.passedOver());
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    private static List<Bptr> noRoots() {
        Bptr[] r = new Bptr[Superblock.ROOTS];
        Arrays.fill(r, Bptr.NONE);
        return List.of(r);
    }
}
