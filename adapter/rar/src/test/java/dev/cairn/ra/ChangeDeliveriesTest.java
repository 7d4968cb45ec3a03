package dev.cairn.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.engine.Store;
import dev.cairn.engine.StoreConfig;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import jakarta.resource.spi.work.ExecutionContext;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkListener;
import jakarta.resource.spi.work.WorkManager;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Timer;
import javax.transaction.xa.XAResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which activations the adapter lets deliver a store's changes: one per
 * subscription, and none dropped from under a running one. (Delivery itself
 * runs against a real server in EventsIT.) The endpoint factory and work
 * manager here only record what they are asked; no round is run.
 */
class ChangeDeliveriesTest {

    @TempDir
    Path dir;

    /** Stands in for the server's factory of one bean; never asked for an endpoint here. */
    private static final class Factory implements MessageEndpointFactory {
        @Override
        public MessageEndpoint createEndpoint(XAResource xaResource) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MessageEndpoint createEndpoint(XAResource xaResource, long timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isDeliveryTransacted(Method method) {
            return false;
        }

        @Override
        public String getActivationName() {
            return "app#mod#Bean";
        }

        @Override
        public Class<?> getEndpointClass() {
            return Object.class;
        }
    }

    /** Records the rounds it is given and runs none. */
    private static final class Recording implements WorkManager {
        final List<Work> scheduled = new ArrayList<>();

        @Override
        public void doWork(Work work) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void doWork(Work work, long startTimeout, ExecutionContext ctx, WorkListener l) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long startWork(Work work) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long startWork(Work work, long startTimeout, ExecutionContext ctx, WorkListener l) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void scheduleWork(Work work) {
            scheduled.add(work);
        }

        @Override
        public void scheduleWork(Work work, long startTimeout, ExecutionContext ctx, WorkListener l) {
            scheduled.add(work);
        }
    }

    @Test
    void oneActivationPerSubscriptionAndNoDropUnderARunningOne() throws Exception {
        Timer timer = new Timer(true);
        Recording wm = new Recording();
        try (Store s = Store.create(dir.resolve("s.cairn"), StoreConfig.defaults().sizeBytes(16L << 20).cacheBytes(2L << 20))) {
            ChangeDeliveries deliveries = new ChangeDeliveries();
            Factory first = new Factory();
            Factory second = new Factory();
            deliveries.start(first, new ChangeDelivery(s, "sub", "a/", first, wm, timer, 100, false));
            assertEquals(1, wm.scheduled.size(), "the activation asks for a first round");
            IllegalStateException twice = assertThrows(IllegalStateException.class,
                    () -> deliveries.start(second, new ChangeDelivery(s, "sub", "b/", second, wm, timer, 100, false)));
            assertTrue(twice.getMessage().contains("subscriptionName"), twice.getMessage());
            deliveries.start(second, new ChangeDelivery(s, "other", "b/", second, wm, timer, 100, false));

            CairnStoreAdmin admin = new CairnStoreAdmin(s, deliveries);
            assertThrows(IllegalStateException.class, () -> admin.dropChangeSubscription("sub"));
            assertEquals(2, admin.getChangeSubscriptions().length);

            deliveries.stop(first);
            assertTrue(admin.dropChangeSubscription("sub"), "once its bean stopped, it can be dropped");
            assertEquals(List.of("other"), List.copyOf(s.changes().subscriptions().keySet()));
            deliveries.stopAll();
        } finally {
            timer.cancel();
        }
    }
}
