package dev.cairn.engine;

import dev.cairn.api.CairnException;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.cache.CachedBlock;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Bulk data read once (a large value's chunks), straight into the caller's
 * array: a cached block is copied from the cache; a run of blocks at
 * consecutive addresses, none cached, is one read into the array, each block
 * then verified against its pointer's hash, and none of them is cached, so
 * bulk reads never push tree nodes out. A block absent from the cache is on
 * disk: dirty and queued blocks are never evicted.
 */
final class BulkRead {

    private BulkRead() {
    }

    static void into(BlockStore bs, List<Bptr> blocks, byte[] dst, int off) {
        bs.checkOpen();
        int size = BlockFormat.BLOCK_SIZE;
        int i = 0;
        while (i < blocks.size()) {
            Bptr bp = blocks.get(i);
            if (bp.isNone() || !BlockFormat.aligned(bp.addr()) || bs.arenaOf(bp.addr()) == null) {
                throw new CairnException("not a block of this store: " + bp);
            }
            try (CachedBlock b = bs.cache.ifCached(bp.addr())) {
                if (b != null) {
                    System.arraycopy(b.data(), 0, dst, off + i * size, size);
                    i++;
                    continue;
                }
            }
            // A run of blocks at consecutive addresses, none cached (the first
            // was not; a later cached one ends the run and is copied as above).
            int end = i + 1;
            while (end < blocks.size() && blocks.get(end).addr() == bp.addr() + (long) (end - i) * size
                    && bs.arenaOf(blocks.get(end).addr()) == bs.arenaOf(bp.addr()) && !bs.cache.contains(blocks.get(end).addr())) {
                end++;
            }
            bs.file.read(ByteBuffer.wrap(dst, off + i * size, (end - i) * size), bp.addr());
            for (int k = i; k < end; k++) {
                BlockStore.verify(blocks.get(k), dst, off + k * size);
            }
            i = end;
        }
    }
}
