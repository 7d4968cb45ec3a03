package dev.cairn.engine.block;

import com.dynatrace.hash4j.hashing.HashStream64;
import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;

/** XXH3-64, the one hash of every on-disk structure. */
public final class BlockHash {

    private static final Hasher64 XXH3 = Hashing.xxh3_64();

    private BlockHash() {
    }

    public static long of(byte[] bytes, int offset, int length) {
        return XXH3.hashBytesToLong(bytes, offset, length);
    }

    /** The same hash over bytes given piece by piece (a snapshot stream's frames and digests). */
    public static HashStream64 stream() {
        return XXH3.hashStream();
    }

    /** The hash a {@link Bptr} carries: over the whole block. */
    public static long ofBlock(byte[] block) {
        return XXH3.hashBytesToLong(block, 0, BlockFormat.BLOCK_SIZE);
    }
}
