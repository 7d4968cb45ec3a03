package dev.cairn.web;

import dev.cairn.api.Figures;
import dev.cairn.ejb.StoreAdministration;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * MicroProfile Health readiness ({@code /health/ready}): UP while the store
 * is mounted and takes writes; DOWN once a failed write or fsync has made it
 * read-only (it needs a restart to recover), or when it cannot be opened.
 * Its data name a mount that passed over the newest sync, and a standby's lag.
 */
@Readiness
@ApplicationScoped
public class StoreReadiness implements HealthCheck {

    @EJB
    private StoreAdministration store;

    @Override
    public HealthCheckResponse call() {
        try {
            Map<String, Long> figures = store.statistics();
            boolean readOnly = figures.getOrDefault(Figures.READ_ONLY, 0L) != 0;
            boolean standby = figures.getOrDefault(Figures.STANDBY, 0L) != 0;
            var response = HealthCheckResponse.named("cairn-store").status(!readOnly)
                    .withData("writable", !readOnly && !standby)
                    .withData("keys", figures.getOrDefault(Figures.KEYS, 0L));
            String reason = readOnly ? store.readOnlyReason() : null;
            if (reason != null) {
                response.withData("reason", reason);
            }
            // Still UP (the store takes writes), but the mount passed over the
            // newest sync, whose commits may have been acknowledged: say so here too.
            long rolledBack = figures.getOrDefault(Figures.ROLLED_BACK_GENERATION, -1L);
            if (rolledBack >= 0) {
                response.withData("rolledBackGeneration", rolledBack)
                        .withData("rolledBackAddress", figures.getOrDefault(Figures.ROLLED_BACK_ADDRESS, -1L));
            }
            // A standby serves reads: UP, with how far behind its primary it is.
            if (standby) {
                response.withData("standby", true)
                        .withData("standbyLagSeconds", figures.getOrDefault(Figures.STANDBY_LAG_SECONDS, -1L))
                        .withData("standbyFailures", figures.getOrDefault(Figures.STANDBY_FAILURES, 0L));
            }
            return response.build();
        } catch (RuntimeException e) {
            return HealthCheckResponse.named("cairn-store").down()
                    .withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
