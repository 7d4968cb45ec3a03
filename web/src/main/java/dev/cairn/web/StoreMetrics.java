package dev.cairn.web;

import dev.cairn.ejb.StoreAdministration;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;

/**
 * Every store figure as a MicroProfile Metrics gauge in the application
 * scope ({@code /metrics?scope=application}: {@code cairn_commits},
 * {@code cairn_cacheHits}, ...). One reading of the figures serves every
 * gauge asked within the same second, so a scrape costs one statistics call.
 */
@ApplicationScoped
public class StoreMetrics {

    private static final Logger LOG = Logger.getLogger(StoreMetrics.class.getName());
    private static final long FRESH_NANOS = 1_000_000_000L;

    @Inject
    MetricRegistry registry;

    @EJB
    private StoreAdministration admin;

    private Map<String, Long> figures;
    private long readAt;

    void register(@Observes @Initialized(ApplicationScoped.class) Object started) {
        Map<String, Long> names;
        try {
            names = admin.statistics();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Cairn metrics are not registered: the store cannot be read: " + e.getMessage(), e);
            return;
        }
        for (String name : names.keySet()) {
            registry.gauge(Metadata.builder().withName("cairn." + name)
                    .withDescription("Cairn store figure " + name + " (see the README's figures)").build(),
                    this, m -> m.figure(name));
        }
    }

    private synchronized long figure(String name) {
        long now = System.nanoTime();
        if (figures == null || now - readAt > FRESH_NANOS) {
            figures = admin.statistics();
            readAt = now;
        }
        return figures.getOrDefault(name, 0L);
    }
}
