package dev.cairn.web;

import dev.cairn.api.CairnStoreMXBean;
import jakarta.enterprise.context.ApplicationScoped;
import java.lang.management.ManagementFactory;
import java.util.Set;
import java.util.TreeSet;
import javax.management.JMException;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of every store the server's Cairn adapter has open — those of
 * other connection factories too (an {@code eis/cairn-archive} that other
 * applications use), which {@link StoreReadiness} does not see: DOWN while
 * any is read-only. Each store is found by its MBean, which the adapter
 * registers when the store opens; a connection factory no application has
 * used yet has no store open and is not listed.
 */
@Readiness
@ApplicationScoped
public class AdapterStoresReadiness implements HealthCheck {

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("cairn-adapter-stores");
        boolean up = true;
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            Set<ObjectName> names = new TreeSet<>(server.queryNames(new ObjectName(CairnStoreMXBean.OBJECT_NAME_PREFIX + ",*"), null));
            for (ObjectName name : names) {
                CairnStoreMXBean store = JMX.newMXBeanProxy(server, name, CairnStoreMXBean.class);
                String state;
                try {
                    state = store.isReadOnly() ? "read-only: " + store.getReadOnlyReason() : "writable";
                } catch (RuntimeException e) {
                    state = "unreadable: " + e.getMessage(); // closed meanwhile, or its adapter stopped
                }
                up &= state.equals("writable");
                response.withData(ObjectName.unquote(name.getKeyProperty("name")), state);
            }
            response.withData("stores", names.size());
        } catch (JMException | RuntimeException e) {
            return response.down().withData("error", String.valueOf(e.getMessage())).build();
        }
        return response.status(up).build();
    }
}
