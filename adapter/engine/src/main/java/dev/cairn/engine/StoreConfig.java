package dev.cairn.engine;

import dev.cairn.api.TransactionTooLargeException;
import dev.cairn.engine.disk.ChannelOpener;
import dev.cairn.engine.work.Workers;
import java.util.Objects;

/**
 * How a store is created and opened. Immutable: every setter returns a copy.
 *
 * <pre>StoreConfig cfg = StoreConfig.defaults().sizeBytes(4L &lt;&lt; 30).cacheBytes(256L &lt;&lt; 20);</pre>
 */
public final class StoreConfig {

    /** Size of the file at creation, in bytes. */
    private final long sizeBytes;
    /** Memory for cached blocks, in bytes; the cache never uses more. */
    private final long cacheBytes;
    /** Arenas the file is divided into at creation (gefs uses 8 to 32). */
    private final int arenas;
    /** Syncer tasks that write blocks; each barrier waits for all of them. */
    private final int syncers;
    /** Largest value a single put accepts, in bytes. */
    private final int maxValueBytes;
    /** Most a transaction's writes may hold in memory until commit, in bytes (see {@link #maxTransactionBytes(long)}). */
    private final long maxTransactionBytes;
    /** Where the engine's tasks run. */
    private final Workers workers;
    /** How the store file is opened; tests wrap the channel to inject faults. */
    private final ChannelOpener channelOpener;

    private StoreConfig(long sizeBytes, long cacheBytes, int arenas, int syncers, int maxValueBytes,
                        long maxTransactionBytes, Workers workers, ChannelOpener channelOpener) {
        this.sizeBytes = sizeBytes;
        this.cacheBytes = cacheBytes;
        this.arenas = arenas;
        this.syncers = syncers;
        this.maxValueBytes = maxValueBytes;
        this.maxTransactionBytes = maxTransactionBytes;
        this.workers = workers;
        this.channelOpener = channelOpener;
    }

    /** 1 GiB file, 64 MiB cache, 8 arenas, 2 syncers, 16 MiB values, 128 MiB transactions, plain threads and FileChannel. */
    public static StoreConfig defaults() {
        return new StoreConfig(1L << 30, 64L << 20, 8, 2, 16 << 20, 128L << 20, ThreadWorkers.shared(), ChannelOpener.PLAIN);
    }

    public StoreConfig sizeBytes(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("sizeBytes must be positive, was " + bytes);
        }
        return new StoreConfig(bytes, cacheBytes, arenas, syncers, maxValueBytes, maxTransactionBytes, workers, channelOpener);
    }

    public StoreConfig cacheBytes(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("cacheBytes must be positive, was " + bytes);
        }
        return new StoreConfig(sizeBytes, bytes, arenas, syncers, maxValueBytes, maxTransactionBytes, workers, channelOpener);
    }

    public StoreConfig arenas(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("arenas must be at least 1, was " + count);
        }
        return new StoreConfig(sizeBytes, cacheBytes, count, syncers, maxValueBytes, maxTransactionBytes, workers, channelOpener);
    }

    public StoreConfig syncers(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("syncers must be at least 1, was " + count);
        }
        return new StoreConfig(sizeBytes, cacheBytes, arenas, count, maxValueBytes, maxTransactionBytes, workers, channelOpener);
    }

    public StoreConfig maxValueBytes(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("maxValueBytes must be >= 0, was " + bytes);
        }
        return new StoreConfig(sizeBytes, cacheBytes, arenas, syncers, bytes, maxTransactionBytes, workers, channelOpener);
    }

    /**
     * The most a transaction's writes may hold in memory until it commits.
     * Each write counts its key, its value when that stays in memory (4 KiB
     * or less, a little more without a media type; larger ones go to data
     * blocks at once) and
     * 128 bytes of bookkeeping. A write past the
     * limit fails with {@link TransactionTooLargeException} and leaves the
     * transaction as it was. Committing takes about one and a half times what
     * a transaction counts in heap, besides the block cache: 128 MiB of
     * 100-byte puts commit in a 224 MiB heap with a 32 MiB cache, not in 208.
     */
    public StoreConfig maxTransactionBytes(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("maxTransactionBytes must be positive, was " + bytes);
        }
        return new StoreConfig(sizeBytes, cacheBytes, arenas, syncers, maxValueBytes, bytes, workers, channelOpener);
    }

    public StoreConfig workers(Workers w) {
        return new StoreConfig(sizeBytes, cacheBytes, arenas, syncers, maxValueBytes, maxTransactionBytes,
                Objects.requireNonNull(w, "workers"), channelOpener);
    }

    public StoreConfig channelOpener(ChannelOpener o) {
        return new StoreConfig(sizeBytes, cacheBytes, arenas, syncers, maxValueBytes, maxTransactionBytes, workers,
                Objects.requireNonNull(o, "channelOpener"));
    }

    public long sizeBytes() {
        return sizeBytes;
    }

    public long cacheBytes() {
        return cacheBytes;
    }

    public int arenas() {
        return arenas;
    }

    public int syncers() {
        return syncers;
    }

    public int maxValueBytes() {
        return maxValueBytes;
    }

    public long maxTransactionBytes() {
        return maxTransactionBytes;
    }

    public Workers workers() {
        return workers;
    }

    public ChannelOpener channelOpener() {
        return channelOpener;
    }
}
