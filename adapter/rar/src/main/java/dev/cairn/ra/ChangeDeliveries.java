package dev.cairn.ra;

import dev.cairn.api.ChangeSubscriptionInfo;
import dev.cairn.engine.Store;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The adapter's running change deliveries, one per activated endpoint, and
 * what the console shows of a store's subscriptions. Thread safe (a
 * concurrent map): activations come on the server's threads, the MBean
 * reads from the console's.
 */
final class ChangeDeliveries {

    /** How long a deactivation waits for a bean's method under way. */
    static final long STOP_WAIT_MILLIS = 30_000;

    private final Map<MessageEndpointFactory, ChangeDelivery> running = new ConcurrentHashMap<>();

    /**
     * Starts {@code d} for {@code factory}. Refused, with nothing started,
     * when that endpoint is active already, or when another activation
     * delivers to the same subscription of the same store: two deliveries
     * writing one position would move it past events one of them has not
     * handled.
     */
    synchronized void start(MessageEndpointFactory factory, ChangeDelivery d) {
        if (running.containsKey(factory)) {
            throw new IllegalStateException("the endpoint " + factory.getEndpointClass().getName() + " is active already");
        }
        for (ChangeDelivery other : running.values()) {
            if (other.store == d.store && other.subscription.equals(d.subscription) && other.busy()) {
                throw new IllegalStateException("subscription " + d.subscription + " of " + d.store.path()
                        + " is delivered to another activation already: give each bean its own subscriptionName");
            }
        }
        running.put(factory, d);
        try {
            d.start();
        } catch (RuntimeException e) {
            running.remove(factory, d);
            throw e;
        }
    }

    /** Whether an activation delivers to subscription {@code name} of {@code store} now. */
    boolean active(Store store, String name) {
        return running.values().stream().anyMatch(d -> d.store == store && d.subscription.equals(name) && d.busy());
    }

    /** Stops the endpoint's delivery; it stays listed (and blocks its subscription) while a round of it still runs. */
    void stop(MessageEndpointFactory factory) {
        ChangeDelivery d = running.get(factory);
        if (d != null) {
            d.stop(STOP_WAIT_MILLIS);
            if (!d.busy()) {
                running.remove(factory, d);
            }
        }
    }

    void stopAll() {
        for (MessageEndpointFactory f : List.copyOf(running.keySet())) {
            stop(f);
        }
    }

    /**
     * Every subscription of {@code store}: those an activation delivers to
     * now, with its counts, and those kept in the store with none running
     * (an application that is stopped, or gone: drop those, their records
     * stay until they are).
     */
    List<ChangeSubscriptionInfo> of(Store store) {
        Map<String, Long> positions = store.changes().subscriptions();
        long newest = store.changes().newest();
        List<ChangeSubscriptionInfo> out = new ArrayList<>();
        for (ChangeDelivery d : running.values()) {
            if (d.store != store) {
                continue;
            }
            Long p = positions.remove(d.subscription);
            if (p != null) {
                out.add(d.info(p, newest));
            }
        }
        positions.forEach((name, p) -> out.add(new ChangeSubscriptionInfo(name, "", false, p, newest - p, 0, 0, 0, null)));
        return out;
    }
}
