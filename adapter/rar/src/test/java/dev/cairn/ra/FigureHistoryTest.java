package dev.cairn.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.api.FigureSample;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FigureHistoryTest {

    @Test
    void keepsTheNewestSamplesInOrderAndSkipsAFailedOne() {
        AtomicLong n = new AtomicLong();
        FigureHistory h = new FigureHistory(() -> {
            long i = n.incrementAndGet();
            if (i == 5) {
                throw new IllegalStateException("store closing");
            }
            return Map.of("commits", i);
        }, 10);
        for (int i = 0; i < FigureHistory.CAPACITY + 50; i++) {
            h.run();
        }
        List<FigureSample> samples = h.samples();
        assertEquals(FigureHistory.CAPACITY, samples.size());
        assertEquals(FigureHistory.CAPACITY + 50L, samples.get(samples.size() - 1).figures().get("commits"));
        // 410 calls, the 5th failed: 409 samples taken, the oldest 49 dropped.
        assertEquals(51L, samples.get(0).figures().get("commits"));
        assertEquals(10, h.intervalSeconds());
    }
}
