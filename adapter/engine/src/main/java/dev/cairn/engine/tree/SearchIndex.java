package dev.cairn.engine.tree;

import java.util.Arrays;

/**
 * Searches one sorted table of a packed node (a leaf's entries, a pivot's
 * children or its buffer) through a compact copy of its keys: for up to
 * {@code maxHeads} of the entries, the four key bytes that follow the
 * prefix most of the table's keys share, as an int.
 *
 * <p>Why: a point read is bound by memory, not by compares. A binary search
 * of a 16 KiB leaf that is not in the CPU's cache touches two cache lines a
 * step (the offset, then the record it points to), about ten misses in all;
 * the heads of 120 entries fill eight lines, so the same search touches a
 * few of those and then the one record it lands on. Absent keys usually
 * touch no record at all. (Scratch harness, 100,000 keys, the index turned
 * on and off in one JVM over 16 rounds of 500,000 warm point reads: a read
 * took 0.72 of the time without it, median of the pairs, in each of two
 * runs.)
 *
 * <p>The heads are monotone in key order: a key without the prefix has head
 * 0 when it sorts below the prefixed keys and all ones above them, and a
 * prefixed key shorter than prefix + 4 is padded with zeros. So a head below
 * the searched key's puts its entry below the key, one above puts it above,
 * and only entries whose heads tie with the key's are compared in full. With
 * more entries than heads, every {@code stride}-th entry has one, and the
 * entries between the bounding heads are searched in full.
 *
 * <p>Immutable; made from a block that no longer changes and kept with it
 * in the cache ({@link dev.cairn.engine.cache.CachedBlock#derived}).
 */
final class SearchIndex {

    /**
     * Heads a leaf's index keeps at most, and each of a pivot's two. With
     * them a node's indexes stay within the cache's allowance for what is
     * derived from a block ({@code BlockCache.DERIVED_BYTES}, 640 bytes): a
     * leaf's is an int[128] (528 bytes), this object (40) and the array
     * holding it (24); a pivot's two are 2 x (240 + 40) and their array.
     */
    static final int LEAF_HEADS = 128;
    static final int PIVOT_HEADS = 56;

    private final byte[] buf;
    private final int table;
    private final int count;
    /** Where the prefix lies in {@code buf} (a key of the table) and its length. */
    private final int prefixAt;
    private final int prefixLength;
    /** Entry {@code j * stride} has head {@code heads[j]}. */
    private final int stride;
    private final int[] heads;

    /**
     * @param table where the table of {@code count} 2-byte record offsets
     *              starts in {@code buf}; each record starts with klen u16, key
     */
    SearchIndex(byte[] buf, int table, int count, int maxHeads) {
        this.buf = buf;
        this.table = table;
        this.count = count;
        // The prefix of the middle half: a few outliers at either end (the
        // store's own keys beside the users', a pivot's empty first key) do
        // not shorten it for all the others.
        if (count >= 2) {
            int a = offset(count / 4);
            int b = offset(count - 1 - count / 4);
            int m = Arrays.mismatch(buf, a + 2, a + 2 + u16(buf, a), buf, b + 2, b + 2 + u16(buf, b));
            this.prefixAt = a + 2;
            this.prefixLength = m < 0 ? u16(buf, a) : m;
        } else {
            this.prefixAt = 0;
            this.prefixLength = 0;
        }
        this.stride = Math.max(1, (count + maxHeads - 1) / maxHeads);
        this.heads = new int[(count + stride - 1) / stride];
        for (int j = 0; j < heads.length; j++) {
            int at = offset(j * stride);
            heads[j] = head(buf, at + 2, u16(buf, at));
        }
    }

    /** Like {@link Arrays#binarySearch}: the entry holding {@code key}, or {@code -(insertion point) - 1}. */
    int search(byte[] key) {
        int h = head(key, 0, key.length);
        int n = heads.length;
        int lo = 0; // first head not below h
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Integer.compareUnsigned(heads[mid], h) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        int above = lo; // first head above h
        if (above < n && heads[above] == h) {
            hi = n;
            while (above < hi) {
                int mid = (above + hi) >>> 1;
                if (heads[mid] == h) {
                    above = mid + 1;
                } else {
                    hi = mid;
                }
            }
        }
        // Entries up to the head before lo sort below key; from the head at above, above it.
        int l = lo == 0 ? 0 : (lo - 1) * stride + 1;
        int r = above == n ? count - 1 : above * stride - 1;
        while (l <= r) {
            int mid = (l + r) >>> 1;
            int c = NodeCodec.compareKeyAt(buf, offset(mid), key);
            if (c < 0) {
                l = mid + 1;
            } else if (c > 0) {
                r = mid - 1;
            } else {
                return mid;
            }
        }
        return -l - 1;
    }

    /** The offset of the record holding {@code key}, or -1. */
    int find(byte[] key) {
        int i = search(key);
        return i < 0 ? -1 : offset(i);
    }

    /** The offset of the last record whose key is at most {@code key}; the first record's when none is. */
    int floor(byte[] key) {
        int i = search(key);
        return offset(i >= 0 ? i : Math.max(0, -i - 2));
    }

    /** Heads kept (for tests: the memory bound). */
    int heads() {
        return heads.length;
    }

    private int offset(int i) {
        return u16(buf, table + 2 * i);
    }

    /** The four bytes of key {@code k[from, from + len)} after the prefix, as the class comment says. */
    private int head(byte[] k, int from, int len) {
        int p = prefixLength;
        int m = Math.min(p, len);
        int c = Arrays.compareUnsigned(k, from, from + m, buf, prefixAt, prefixAt + m);
        if (c < 0) {
            return 0; // (a key that ends inside the prefix pads to 0 below as well)
        }
        if (c > 0) {
            return -1;
        }
        int h = 0;
        for (int i = 0; i < 4; i++) {
            h = h << 8 | (p + i < len ? k[from + p + i] & 0xff : 0);
        }
        return h;
    }

    private static int u16(byte[] buf, int at) {
        return (buf[at] & 0xff) << 8 | buf[at + 1] & 0xff;
    }
}
