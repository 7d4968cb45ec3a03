package dev.cairn.ejb;

import dev.cairn.api.CairnConnection;
import dev.cairn.api.CairnConnectionFactory;
import dev.cairn.api.CheckResult;
import dev.cairn.api.Figures;
import dev.cairn.api.SnapshotInfo;
import dev.cairn.api.SnapshotTransfer;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.LocalBean;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Administration of the application's store: sync, check, log compression,
 * snapshots and figures. None of it is transactional (each operation is a
 * durable change or a reading of its own), and the store is thread-safe, so
 * calls run concurrently: a long check does not hold up the figures.
 *
 * <p>Starts with the application and opens the store then, so recovery (and
 * any error in the configuration) happens at deployment, not at the first
 * request.
 *
 * <p>Roles: {@code admin}, as the HTTP API's admin door, since the bean is
 * reachable from any application of the server. The figures and the
 * read-only reason are open to every caller: readiness and metrics read them
 * on the server's own threads, with no caller, and they hold no data.
 */
@Singleton
@Startup
@RolesAllowed("admin")
@LocalBean
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class StoreAdministration {

    private static final Logger LOG = Logger.getLogger(StoreAdministration.class.getName());

    @Resource(lookup = "eis/cairn")
    private CairnConnectionFactory cairn;

    @PostConstruct
    void openAtStart() {
        try {
            Map<String, Long> f = cairn.statistics();
            LOG.info(() -> "Cairn store ready: " + f.get(Figures.KEYS) + " keys, generation " + f.get(Figures.GENERATION)
                    + (f.getOrDefault(Figures.READ_ONLY, 0L) != 0 ? ", READ-ONLY" : ""));
        } catch (RuntimeException e) {
            // Deployment goes on: the HTTP API answers 503 and readiness is DOWN, saying why.
            LOG.log(Level.SEVERE, "the Cairn store could not be opened: " + e.getMessage(), e);
        }
    }

    /** The store's figures and the adapter's transaction counters. */
    @PermitAll
    public Map<String, Long> statistics() {
        return cairn.statistics();
    }

    /** The figures the adapter sampled, oldest first (the last hour at the default interval). */
    public List<dev.cairn.api.FigureSample> history() {
        return cairn.history();
    }

    /** Seconds between the samples of {@link #history()}; 0 when sampling is off. */
    public int historyIntervalSeconds() {
        return cairn.historyIntervalSeconds();
    }

    /** Why the store takes no writes, or null while it does. */
    @PermitAll
    public String readOnlyReason() {
        return cairn.readOnlyReason();
    }

    /** Runs a sync pass; returns the generation made durable. */
    public long sync() {
        return cairn.sync();
    }

    public CheckResult check() {
        return cairn.check();
    }

    /** Rewrites the allocation logs as their free ranges; returns the generation made durable. */
    public long compressLogs() {
        return cairn.compressLogs();
    }

    /** Takes a snapshot, durably. */
    public void createSnapshot(String name) {
        try (CairnConnection c = cairn.getConnection()) {
            c.createSnapshot(name);
        }
    }

    /** Deletes a snapshot, durably; its space comes back. */
    public void deleteSnapshot(String name) {
        try (CairnConnection c = cairn.getConnection()) {
            c.deleteSnapshot(name);
        }
    }

    /** Writes snapshot {@code name} as a stream to {@code out}: whole, or the changes since {@code from}. */
    public SnapshotTransfer sendSnapshot(String name, String from, OutputStream out) {
        try (CairnConnection c = cairn.getConnection()) {
            return c.sendSnapshot(name, from, out);
        }
    }

    /** Receives a snapshot stream into the store, all or nothing. */
    public SnapshotTransfer receiveSnapshot(InputStream in) {
        try (CairnConnection c = cairn.getConnection()) {
            return c.receiveSnapshot(in);
        }
    }

    /** The snapshots, oldest first. */
    public List<SnapshotInfo> snapshots() {
        try (CairnConnection c = cairn.getConnection()) {
            return c.snapshots();
        }
    }
}
