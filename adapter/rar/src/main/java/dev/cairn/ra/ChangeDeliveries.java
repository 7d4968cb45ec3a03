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

    /** Starts {@code d} for {@code factory}; false (and nothing started) when that endpoint is active already. */
    boolean start(MessageEndpointFactory factory, ChangeDelivery d) {
        if (running.putIfAbsent(factory, d) != null) {
            return false;
        }
        try {
            d.start();
        } catch (RuntimeException e) {
            running.remove(factory, d);
            throw e;
        }
        return true;
    }

    void stop(MessageEndpointFactory factory) {
        ChangeDelivery d = running.remove(factory);
        if (d != null) {
            d.stop(STOP_WAIT_MILLIS);
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
            Long p = positions.remove(d.subscription);
            if (d.store == store && p != null) {
                out.add(d.info(p, newest));
            }
        }
        positions.forEach((name, p) -> out.add(new ChangeSubscriptionInfo(name, "", false, p, newest - p, 0, 0, 0, null)));
        return out;
    }
}
