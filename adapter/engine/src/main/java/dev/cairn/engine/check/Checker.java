package dev.cairn.engine.check;

import dev.cairn.api.CairnException;
import dev.cairn.engine.alloc.Arena;
import dev.cairn.engine.alloc.ArenaHeader;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.block.BlockHash;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.block.ReferenceWalker;
import dev.cairn.engine.disk.StoreFile;
import dev.cairn.engine.sync.Mount;
import dev.cairn.engine.sync.Superblock;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;

/**
 * fsck for a store file: mounts the durable state read-only exactly as
 * {@code open} would (newest valid superblock, headers by hash, every log
 * replayed and verified), then walks every block reachable from the roots,
 * reading each from disk and verifying its hash, and compares what is
 * reachable with what the logs say is allocated.
 */
public final class Checker {

    private Checker() {
    }

    /**
     * The durable state a check walks, as a mount finds it: its superblock,
     * the arenas' headers and replayed logs, and the report so far (a store
     * that cannot be mounted has only the report, saying why).
     */
    public record Mounted(CheckReport report, Superblock superblock, ArenaHeader[] headers, Arena.Replay[] arenas) {

        /** The sync generation whose version {@link #walk} walks, or -1 when nothing mounted. */
        public long generation() {
            return superblock == null ? -1 : superblock.syncGen();
        }
    }

    /** Checks a store file no one writes: {@link #mount} and {@link #walk} in one go. */
    public static CheckReport check(StoreFile file, ReferenceWalker walker) {
        return walk(file, mount(file), walker);
    }

    /**
     * The first half of a check: the superblocks, arena headers and logs, and
     * the blocks the newest sync's manifest lists. These are what a sync
     * rewrites (log tails in place, a superblock slot), so a writer must hold
     * its syncs off while this runs.
     */
    public static Mounted mount(StoreFile file) {
        CheckReport report = new CheckReport();
        Mount.Result<Arena.Replay[]> m;
        try {
            m = Mount.mount(file, (sb, headers) -> {
                Arena.Replay[] r = new Arena.Replay[headers.length];
                for (int i = 0; i < headers.length; i++) {
                    r[i] = Arena.replay(headers[i], sb.arenas().get(i), sb.syncGen(), file);
                }
                Mount.verifyManifest(file, sb, addr -> {
                    int a = arenaOf(headers, addr);
                    return a >= 0 && r[a].free().isFree(addr);
                });
                return r;
            });
        } catch (CairnException e) {
            report.problem("cannot mount: " + e.getMessage());
            return new Mounted(report, null, null, null);
        }
        m.skipped().forEach(report::note);
        report.syncGen = m.superblock().syncGen();
        return new Mounted(report, m.superblock(), m.headers(), m.loaded());
    }

    /**
     * The second half: every block reachable from the mounted version's
     * roots, read from disk and verified, and what is reachable compared with
     * what its logs say is allocated. It reads only blocks of that version,
     * which a sync never rewrites; a writer may sync meanwhile as long as it
     * reuses none of them until this returns (see {@code BlockStore.check}).
     */
    public static CheckReport walk(StoreFile file, Mounted mounted, ReferenceWalker walker) {
        CheckReport report = mounted.report();
        if (mounted.superblock() == null) {
            return report;
        }
        Superblock sb = mounted.superblock();
        ArenaHeader[] headers = mounted.headers();
        Arena.Replay[] arenas = mounted.arenas();

        BitSet[] seen = new BitSet[headers.length];
        for (int i = 0; i < headers.length; i++) {
            seen[i] = new BitSet();
            report.freeBytes += arenas[i].free().bytes();
            for (long log : arenas[i].chain()) {
                seen[i].set(index(headers[i], log));
                report.logBlocks++;
            }
        }

        Deque<ReferenceWalker.Ref> todo = new ArrayDeque<>();
        for (int i = 0; i < sb.roots().size(); i++) {
            Bptr root = sb.roots().get(i);
            if (!root.isNone()) {
                todo.add(new ReferenceWalker.Ref(root, new ReferenceWalker.RootSlot(i)));
            }
        }
        byte[] buf = new byte[BlockFormat.BLOCK_SIZE];
        while (!todo.isEmpty()) {
            ReferenceWalker.Ref ref = todo.poll();
            Bptr bp = ref.bp();
            int a = arenaOf(headers, bp.addr());
            if (a < 0 || !BlockFormat.aligned(bp.addr())) {
                report.problem(bp + " points outside every arena");
                continue;
            }
            if (bp.gen() > sb.syncGen()) {
                report.problem(bp + " was born after the sync (generation " + sb.syncGen() + ") that refers to it");
            }
            int bit = index(headers[a], bp.addr());
            if (seen[a].get(bit)) {
                continue; // shared (a DAG), or a log block, reported below if so
            }
            seen[a].set(bit);
            if (arenas[a].free().isFree(bp.addr())) {
                report.problem(String.format("block 0x%x is reachable and free", bp.addr()));
            }
            file.read(ByteBuffer.wrap(buf), bp.addr());
            long hash = BlockHash.ofBlock(buf);
            if (hash != bp.hash()) {
                report.problem(String.format("block at 0x%x is corrupt: hash %016x, pointer says %016x",
                        bp.addr(), hash, bp.hash()));
                continue;
            }
            report.reachableBlocks++;
            todo.addAll(walker.children(bp, buf.clone(), ref.context()));
        }

        for (int i = 0; i < headers.length; i++) {
            ArenaHeader h = headers[i];
            for (long addr = h.dataStart(); addr < h.end(); addr += BlockFormat.BLOCK_SIZE) {
                if (!seen[i].get(index(h, addr)) && !arenas[i].free().isFree(addr)) {
                    report.leakedBlocks++;
                    if (report.leakedBlocks <= 20) {
                        report.problem(String.format("block 0x%x (arena %d) is allocated but nothing reaches it", addr, i));
                    }
                }
            }
        }
        if (report.leakedBlocks > 20) {
            report.problem((report.leakedBlocks - 20) + " more leaked blocks");
        }
        return report;
    }

    private static int index(ArenaHeader h, long addr) {
        return (int) ((addr - h.dataStart()) / BlockFormat.BLOCK_SIZE);
    }

    private static int arenaOf(ArenaHeader[] headers, long addr) {
        for (int i = 0; i < headers.length; i++) {
            if (headers[i].contains(addr)) {
                return i;
            }
        }
        return -1;
    }
}
