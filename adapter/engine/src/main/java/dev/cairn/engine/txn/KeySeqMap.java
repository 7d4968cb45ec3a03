package dev.cairn.engine.txn;

import java.util.Arrays;
import java.util.function.Predicate;

/**
 * Key (by content) to commit sequence number, for {@link ConflictTracker}:
 * open addressing over parallel arrays, so a remembered key costs its array
 * and 40 to 80 bytes of table (it is kept between a quarter and half full),
 * where a {@code HashMap<ByteBuffer, Long>} spent about 100 on a wrapper, a
 * boxed number, a node and its slot. A large commit
 * remembers every key it wrote until it is durable. Not thread safe (the
 * tracker's monitor guards it). Keys are kept, not copied: callers pass
 * arrays nothing modifies afterwards.
 */
final class KeySeqMap {

    /** What {@link #get} returns for a key not in the map. */
    static final long ABSENT = Long.MIN_VALUE;

    private byte[][] keys;
    private long[] seqs;
    private int[] hashes;
    private int size;

    KeySeqMap() {
        allocate(16);
    }

    int size() {
        return size;
    }

    long get(byte[] key) {
        int h = hash(key);
        int mask = keys.length - 1;
        for (int i = h & mask; keys[i] != null; i = (i + 1) & mask) {
            if (hashes[i] == h && Arrays.equals(keys[i], key)) {
                return seqs[i];
            }
        }
        return ABSENT;
    }

    void put(byte[] key, long seq) {
        if (2 * (size + 1) > keys.length) {
            rehash(2 * keys.length);
        }
        int h = hash(key);
        int mask = keys.length - 1;
        int i = h & mask;
        for (; keys[i] != null; i = (i + 1) & mask) {
            if (hashes[i] == h && Arrays.equals(keys[i], key)) {
                seqs[i] = seq;
                return;
            }
        }
        keys[i] = key;
        seqs[i] = seq;
        hashes[i] = h;
        size++;
    }

    /** Some key written after {@code seq} that {@code wanted} accepts, or null; scans the whole table. */
    byte[] anyAfter(long seq, Predicate<byte[]> wanted) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null && seqs[i] > seq && wanted.test(keys[i])) {
                return keys[i];
            }
        }
        return null;
    }

    /** Forgets every key whose sequence number is at most {@code seq}; the table shrinks to fit what stays. */
    void removeUpTo(long seq) {
        byte[][] oldKeys = keys;
        long[] oldSeqs = seqs;
        int[] oldHashes = hashes;
        int kept = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != null && oldSeqs[i] > seq) {
                kept++;
            }
        }
        allocate(capacityFor(kept));
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != null && oldSeqs[i] > seq) {
                insertNew(oldKeys[i], oldSeqs[i], oldHashes[i]);
            }
        }
    }

    private void rehash(int capacity) {
        byte[][] oldKeys = keys;
        long[] oldSeqs = seqs;
        int[] oldHashes = hashes;
        allocate(capacity);
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != null) {
                insertNew(oldKeys[i], oldSeqs[i], oldHashes[i]);
            }
        }
    }

    /** Inserts a key known not to be in the table. */
    private void insertNew(byte[] key, long seq, int h) {
        int mask = keys.length - 1;
        int i = h & mask;
        while (keys[i] != null) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        seqs[i] = seq;
        hashes[i] = h;
        size++;
    }

    private void allocate(int capacity) {
        keys = new byte[capacity][];
        seqs = new long[capacity];
        hashes = new int[capacity];
        size = 0;
    }

    /** A power of two at least twice {@code n}: the table stays at most half full. */
    private static int capacityFor(int n) {
        return Math.max(16, Integer.highestOneBit(Math.max(1, 2 * n - 1)) << 1);
    }

    /** The content hash, its bits spread (murmur3's finalizer) so that the low bits index well. */
    private static int hash(byte[] key) {
        int h = Arrays.hashCode(key);
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
