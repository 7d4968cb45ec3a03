package dev.cairn.engine;

import dev.cairn.engine.disk.ChannelOpener;
import java.util.Objects;

/**
 * How a store is created and opened. Immutable: every setter returns a copy.
 *
 * <pre>StoreConfig cfg = StoreConfig.defaults().maxValueBytes(8 &lt;&lt; 20);</pre>
 */
public final class StoreConfig {

    /** Largest value a single put accepts, in bytes. */
    private final int maxValueBytes;
    /** Where the engine's tasks run. */
    private final Workers workers;
    /** How the store file is opened; tests wrap the channel to inject faults. */
    private final ChannelOpener channelOpener;

    private StoreConfig(int maxValueBytes, Workers workers, ChannelOpener channelOpener) {
        this.maxValueBytes = maxValueBytes;
        this.workers = workers;
        this.channelOpener = channelOpener;
    }

    /** 16 MiB values, plain daemon threads, a plain {@code FileChannel}. */
    public static StoreConfig defaults() {
        return new StoreConfig(16 << 20, ThreadWorkers.shared(), ChannelOpener.PLAIN);
    }

    public StoreConfig maxValueBytes(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("maxValueBytes must be >= 0, was " + bytes);
        }
        return new StoreConfig(bytes, workers, channelOpener);
    }

    public StoreConfig workers(Workers w) {
        return new StoreConfig(maxValueBytes, Objects.requireNonNull(w, "workers"), channelOpener);
    }

    public StoreConfig channelOpener(ChannelOpener o) {
        return new StoreConfig(maxValueBytes, workers, Objects.requireNonNull(o, "channelOpener"));
    }

    public int maxValueBytes() {
        return maxValueBytes;
    }

    public Workers workers() {
        return workers;
    }

    public ChannelOpener channelOpener() {
        return channelOpener;
    }
}
