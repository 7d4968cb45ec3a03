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
        epochs.retire(Epochs.BORN_ANY_TIME, () -> ran.add(1));
        assertEquals(0, epochs.clean());
        assertEquals(List.of(), ran, "the reader entered before the retirement and may still see the block");
        leave.countDown();
        reader.join();
        assertEquals(1, epochs.clean());
        assertEquals(List.of(1), ran);
        assertEquals(0, epochs.retiredWaiting());
    }

    @Test
    void aPinNotNarrowedHoldsBackEveryLaterRetirementUntilItIsReleased() {
        Epochs epochs = new Epochs();
        List<Integer> ran = new ArrayList<>();
        epochs.retire(Epochs.BORN_ANY_TIME, () -> ran.add(-1)); // before the pin: free to go
        epochs.clean();
        long pin = epochs.pin();
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            int id = i;
            epochs.retire(Epochs.BORN_ANY_TIME, () -> ran.add(id));
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

    /**
     * A reader's snapshot reaches only blocks born in its generation or
     * before: those wait for it, later ones (the nodes later commits write
     * and replace) do not.
     */
    @Test
    void aNarrowedPinHoldsBackOnlyWhatItsGenerationCanReach() {
        Epochs epochs = new Epochs();
        List<Long> ran = new ArrayList<>();
        long pin = epochs.pin();
        epochs.narrow(pin, 5);
        epochs.narrow(pin, 9); // never widened again
        for (long born : new long[] {3, 6, 5, 9, 4, 12}) {
            epochs.retire(born, () -> ran.add(born));
        }
        assertEquals(3, epochs.clean());
        assertEquals(List.of(6L, 9L, 12L), ran);
        assertEquals(3, epochs.retiredWaiting());
        epochs.retire(7, () -> ran.add(7L));
        epochs.retire(1, () -> ran.add(1L));
        assertEquals(1, epochs.clean(), "the one born after the pin's generation goes, wherever it stands");
        assertEquals(List.of(6L, 9L, 12L, 7L), ran);
        epochs.unpin(pin);
        assertEquals(4, epochs.clean());
        assertEquals(List.of(6L, 9L, 12L, 7L, 3L, 5L, 4L, 1L), ran);
        assertEquals(0, epochs.retiredWaiting());
    }

    /**
     * A block a short transaction sees waits for it, not for an older reader
     * whose own version does not reach the block: each committer's own pin
     * sees the blocks its commit replaces, and a long reader open beside
     * them must not keep those once the committer is gone.
     */
    @Test
    void aRetirementWaitsOnlyForThePinsThatSeeIt() {
        Epochs epochs = new Epochs();
        List<Long> ran = new ArrayList<>();
        long old = epochs.pin();
        epochs.narrow(old, 2);
        long recent = epochs.pin();
        epochs.narrow(recent, 10);
        epochs.retire(8, () -> ran.add(8L)); // the recent pin sees it
        epochs.retire(2, () -> ran.add(2L)); // both see it
        assertEquals(0, epochs.clean());
        epochs.unpin(recent);
        assertEquals(1, epochs.clean());
        assertEquals(List.of(8L), ran);
        long later = epochs.pin(); // taken after the retirement: the block was unreachable already
        epochs.narrow(later, 100);
        assertEquals(0, epochs.clean(), "the old pin still sees the block born in 2");
        epochs.unpin(old);
        assertEquals(1, epochs.clean());
        assertEquals(List.of(8L, 2L), ran);
        epochs.unpin(later);
        assertEquals(0, epochs.retiredWaiting());
    }

    /**
     * Until it is narrowed, a pin may be reading any root: it holds everything
     * retired after it. Once narrowed, what was filed under it meanwhile and
     * its generation cannot reach goes at the next clean, not when the pin
     * ends (a transaction left open would otherwise keep it from reuse).
     */
    @Test
    void aPinNotYetNarrowedHoldsEvenTheNewestBlocksUntilItIsNarrowed() {
        Epochs epochs = new Epochs();
        List<Long> ran = new ArrayList<>();
        long pin = epochs.pin();
        epochs.retire(Long.MAX_VALUE - 1, () -> ran.add(1L));
        epochs.retire(2, () -> ran.add(3L));
        assertEquals(0, epochs.clean());
        epochs.narrow(pin, 3);
        epochs.retire(4, () -> ran.add(2L));
        assertEquals(2, epochs.clean(), "the block filed under the pin before it was narrowed goes, and so does the one"
                + " retired after; the one its generation reaches stays");
        assertEquals(List.of(1L, 2L), ran);
        assertEquals(0, epochs.clean());
        epochs.unpin(pin);
        assertEquals(1, epochs.clean());
        assertEquals(List.of(1L, 2L, 3L), ran);
        assertEquals(0, epochs.retiredWaiting());
    }

    /** A block several pins see waits until the last of them is gone, passed from one to the next. */
    @Test
    void aBlockSeenByManyPinsWaitsForTheLastOfThem() {
        Epochs epochs = new Epochs();
        List<String> ran = new ArrayList<>();
        long a = epochs.pin();
        epochs.narrow(a, 2);
        long b = epochs.pin();
        epochs.narrow(b, 10);
        long c = epochs.pin();
        epochs.narrow(c, 10);
        epochs.retire(1, () -> ran.add("x")); // a, b and c see it
        assertEquals(0, epochs.clean());
        long d = epochs.pin();
        epochs.narrow(d, 10);
        epochs.retire(9, () -> ran.add("y")); // b, c and d see it
        assertEquals(0, epochs.clean());
        epochs.unpin(c);
        assertEquals(0, epochs.clean());
        epochs.unpin(d);
        assertEquals(0, epochs.clean());
        epochs.unpin(b);
        assertEquals(1, epochs.clean());
        assertEquals(List.of("y"), ran);
        epochs.unpin(a);
        assertEquals(1, epochs.clean());
        assertEquals(List.of("y", "x"), ran);
        assertEquals(0, epochs.retiredWaiting());
    }
}
