package dev.cairn.web;

import dev.cairn.api.CairnStoreMXBean;
import dev.cairn.api.ChangeSubscriptionMXBean;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerDelegate;
import javax.management.MBeanServerNotification;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import javax.management.relation.MBeanServerNotificationFilter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * Every store the server's Cairn adapter has open — those of other
 * connection factories too — as gauges tagged with the store's file:
 * {@code cairn_store_Keys{store="/var/lib/cairn/archive.store"}}, one per
 * numeric attribute of its MBean. A store opens when an application first
 * uses its connection factory, and its MBean comes with it; this follows the
 * MBean server's registrations, so a store opened later gets its gauges
 * then, and a closed one loses them. Each activated change subscription
 * (a message-driven bean's) likewise: {@code cairn_subscription_Lag{store=…,
 * subscription=…}} and the rest of its MBean's numbers, while it runs.
 *
 * <p>Threads: registrations arrive on whichever thread registers the MBean
 * (the adapter's, opening a store); the registry is thread-safe.
 */
@ApplicationScoped
public class AdapterStoreMetrics {

    private static final Logger LOG = Logger.getLogger(AdapterStoreMetrics.class.getName());
    private static final String PREFIX = "cairn.store.";
    private static final String SUBSCRIPTION_PREFIX = "cairn.subscription.";

    @Inject
    MetricRegistry registry;

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final NotificationListener follower = this::registered;
    private ObjectName stores;
    private ObjectName subscriptions;

    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        try {
            stores = new ObjectName(CairnStoreMXBean.OBJECT_NAME_PREFIX + ",*");
            subscriptions = new ObjectName(ChangeSubscriptionMXBean.OBJECT_NAME_PREFIX + ",*");
            MBeanServerNotificationFilter filter = new MBeanServerNotificationFilter();
            filter.enableAllObjectNames();
            server.addNotificationListener(MBeanServerDelegate.DELEGATE_NAME, follower, filter, null);
            for (ObjectName n : server.queryNames(stores, null)) {
                add(n);
            }
            for (ObjectName n : server.queryNames(subscriptions, null)) {
                add(n);
            }
        } catch (JMException e) {
            LOG.log(Level.WARNING, "Cairn's per-store metrics are not registered: " + e.getMessage(), e);
        }
    }

    @PreDestroy
    void stop() {
        try {
            server.removeNotificationListener(MBeanServerDelegate.DELEGATE_NAME, follower);
        } catch (JMException e) {
            // never added: start failed and said so
        }
    }

    private void registered(Notification n, Object handback) {
        if (!(n instanceof MBeanServerNotification m)
                || !(stores.apply(m.getMBeanName()) || subscriptions.apply(m.getMBeanName()))) {
            return;
        }
        if (MBeanServerNotification.REGISTRATION_NOTIFICATION.equals(m.getType())) {
            add(m.getMBeanName());
        } else if (MBeanServerNotification.UNREGISTRATION_NOTIFICATION.equals(m.getType())) {
            String prefix = prefix(m.getMBeanName());
            List<Tag> tags = List.of(tags(m.getMBeanName()));
            registry.removeMatching((id, metric) -> id.getName().startsWith(prefix) && id.getTagsAsList().containsAll(tags));
        }
    }

    private String prefix(ObjectName mbean) {
        return subscriptions.apply(mbean) ? SUBSCRIPTION_PREFIX : PREFIX;
    }

    /** A store's gauges are tagged with its file; a subscription's with its store's file and its name. */
    private Tag[] tags(ObjectName mbean) {
        if (subscriptions.apply(mbean)) {
            return new Tag[] {new Tag("store", ObjectName.unquote(mbean.getKeyProperty("store"))),
                new Tag("subscription", ObjectName.unquote(mbean.getKeyProperty("name")))};
        }
        return new Tag[] {new Tag("store", ObjectName.unquote(mbean.getKeyProperty("name")))};
    }

    private void add(ObjectName mbean) {
        try {
            Tag[] tags = tags(mbean);
            String prefix = prefix(mbean);
            String what = prefix.equals(PREFIX) ? "store MBean attribute %s, per store file"
                    : "change subscription MBean attribute %s, per store file and subscription";
            for (MBeanAttributeInfo a : server.getMBeanInfo(mbean).getAttributes()) {
                if (numeric(a.getType())) {
                    String attribute = a.getName();
                    registry.gauge(Metadata.builder().withName(prefix + attribute)
                            .withDescription("Cairn " + what.formatted(attribute)).build(),
                            mbean, s -> read(s, attribute), tags);
                }
            }
        } catch (InstanceNotFoundException e) {
            // gone before its gauges could be added: nothing to report
        } catch (JMException e) {
            LOG.log(Level.WARNING, "no metrics for " + mbean + ": " + e.getMessage(), e);
        }
    }

    private static boolean numeric(String type) {
        return type.equals("long") || type.equals("int") || type.equals("double") || type.equals("boolean");
    }

    /** The attribute's value; a store closed meanwhile reads as NaN rather than failing the whole scrape. */
    private Number read(ObjectName store, String attribute) {
        try {
            Object v = server.getAttribute(store, attribute);
            return v instanceof Boolean b ? (b ? 1 : 0) : (Number) v;
        } catch (JMException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
