package dev.cairn.ra;

import dev.cairn.api.FigureSample;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.TimerTask;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The recent figures of one store, sampled by the adapter's timer (a
 * BootstrapContext timer: the server's thread, not one of ours), so an
 * administrator's charts can show the last hour, not only the time a page
 * has been open. Keeps the newest {@link #CAPACITY} samples.
 *
 * <p>Locking: {@code this} guards the samples; the timer thread adds, request
 * threads copy.
 */
final class FigureHistory extends TimerTask {

    /** Samples kept: one hour at the default interval of ten seconds. */
    static final int CAPACITY = 360;

    private static final Logger LOG = Logger.getLogger(FigureHistory.class.getName());

    private final Supplier<Map<String, Long>> figures;
    private final int intervalSeconds;
    private final ArrayDeque<FigureSample> samples = new ArrayDeque<>();

    FigureHistory(Supplier<Map<String, Long>> figures, int intervalSeconds) {
        this.figures = figures;
        this.intervalSeconds = intervalSeconds;
    }

    int intervalSeconds() {
        return intervalSeconds;
    }

    /** One sample now; a store that fails to report is skipped this time, not the timer killed. */
    @Override
    public void run() {
        FigureSample s;
        try {
            s = new FigureSample(System.currentTimeMillis(), figures.get());
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "sampling a Cairn store's figures failed", e);
            return;
        }
        synchronized (this) {
            samples.addLast(s);
            if (samples.size() > CAPACITY) {
                samples.removeFirst();
            }
        }
    }

    /** The samples kept, oldest first. */
    synchronized List<FigureSample> samples() {
        return List.copyOf(samples);
    }
}
