package dev.cairn.engine.epoch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class EpochsTest {

    @Test
    void aRetiredActionWaitsForAThreadInsideAnEarlierEpoch() throws Exception {
        Epochs epochs = new Epochs();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch leave = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            epochs.enter();
            inside.countDown();
            try {
                leave.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            epochs.exit();
        });
        reader.start();
        inside.await();
        List<Integer> ran = new ArrayList<>();
        epochs.retire(() -> ran.add(1));
        assertEquals(0, epochs.clean());
        assertEquals(List.of(), ran, "the reader entered before the retirement and may still see the block");
        leave.countDown();
        reader.join();
        assertEquals(1, epochs.clean());
        assertEquals(List.of(1), ran);
        assertEquals(0, epochs.retiredWaiting());
    }

    @Test
    void aPinHoldsBackEveryLaterRetirementUntilItIsReleased() {
        Epochs epochs = new Epochs();
        List<Integer> ran = new ArrayList<>();
        epochs.retire(() -> ran.add(-1)); // before the pin: free to go
        epochs.clean();
        long pin = epochs.pin();
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            int id = i;
            epochs.retire(() -> ran.add(id));
            if (i % 100 == 0) {
                assertEquals(0, epochs.clean(), "retired after the pin, at " + i);
            }
        }
        assertEquals(List.of(-1), ran);
        assertEquals(n, epochs.retiredWaiting());
        epochs.unpin(pin);
        assertEquals(n, epochs.clean());
        for (int i = 0; i < n; i++) {
            assertEquals(i, ran.get(i + 1), "actions run in the order they were retired");
        }
        assertEquals(0, epochs.retiredWaiting());
    }
}
