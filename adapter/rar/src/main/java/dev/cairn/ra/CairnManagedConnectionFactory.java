package dev.cairn.ra;

import dev.cairn.api.CairnConnection;
import dev.cairn.api.CairnConnectionFactory;
import dev.cairn.engine.StoreConfig;
import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConfigProperty;
import jakarta.resource.spi.ConnectionDefinition;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionFactory;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterAssociation;
import jakarta.resource.spi.ValidatingManagedConnectionFactory;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.security.auth.Subject;

/**
 * Makes pooled connections to one store file. Configured in server.xml on the
 * {@code connectionFactory} element (see the README). Two factories are equal
 * when all their properties are, as the Connectors spec asks, so the pool can
 * match connections across them.
 */
@ConnectionDefinition(
        connectionFactory = CairnConnectionFactory.class,
        connectionFactoryImpl = CairnConnectionFactoryImpl.class,
        connection = CairnConnection.class,
        connectionImpl = CairnConnectionHandle.class)
public class CairnManagedConnectionFactory implements ManagedConnectionFactory, ValidatingManagedConnectionFactory, ResourceAdapterAssociation {

    private static final long serialVersionUID = 1L;

    @ConfigProperty(description = "Path of the store file. Created, with its directories, when missing.")
    private String storePath;

    @ConfigProperty(description = "Size of the store file in bytes, used when the file is created. Default 1 GiB.",
            defaultValue = "1073741824")
    private Long sizeBytes = 1L << 30;

    @ConfigProperty(description = "Memory for cached blocks in bytes; the cache never uses more. Default 64 MiB.",
            defaultValue = "67108864")
    private Long cacheBytes = 64L << 20;

    @ConfigProperty(description = "Arenas the file is divided into when it is created (allocation runs in parallel across them). Default 8.",
            defaultValue = "8")
    private Integer arenas = 8;

    @ConfigProperty(description = "Syncer tasks writing dirty blocks in parallel. Default 2.", defaultValue = "2")
    private Integer syncers = 2;

    @ConfigProperty(description = "Most a transaction's writes may hold in memory until commit, in bytes: each write counts "
            + "its key, its value when 4 KiB or less, and 128 bytes; a write past it fails with "
            + "TransactionTooLargeException. Default 128 MiB.", defaultValue = "134217728")
    private Long maxTransactionBytes = 128L << 20;

    @ConfigProperty(description = "Seconds between samples of the store's figures kept for the admin page's charts "
            + "(the last 360 samples: an hour at the default); 0 keeps none. Default 10.", defaultValue = "10")
    private Integer figureSampleSeconds = 10;

    @ConfigProperty(description = "The Cairn context root of a primary server (e.g. http://primary:9080/cairn) to make "
            + "this store a standby of: it then receives the primary's snapshot streams every standbyIntervalSeconds, "
            + "serves reads, and refuses other writes until promoted. Empty (the default): not a standby.",
            defaultValue = "")
    private String standbyOf = "";

    @ConfigProperty(description = "The primary's user with the role admin, for standbyOf. Default admin.", defaultValue = "admin")
    private String standbyUser = "admin";

    @ConfigProperty(description = "That user's password, for standbyOf.", confidential = true)
    private String standbyPassword;

    @ConfigProperty(description = "Seconds between a standby's rounds of receiving from its primary. Default 10.",
            defaultValue = "10")
    private Integer standbyIntervalSeconds = 10;

    private transient CairnResourceAdapter adapter;
    private transient PrintWriter logWriter;

    public String getStorePath() {
        return storePath;
    }

    public void setStorePath(String storePath) {
        this.storePath = storePath;
    }

    public Long getSizeBytes() {
        return sizeBytes;
    }

    public void setSizeBytes(Long sizeBytes) {
        this.sizeBytes = sizeBytes;
    }

    public Long getCacheBytes() {
        return cacheBytes;
    }

    public void setCacheBytes(Long cacheBytes) {
        this.cacheBytes = cacheBytes;
    }

    public Integer getArenas() {
        return arenas;
    }

    public void setArenas(Integer arenas) {
        this.arenas = arenas;
    }

    public Integer getSyncers() {
        return syncers;
    }

    public void setSyncers(Integer syncers) {
        this.syncers = syncers;
    }

    public Long getMaxTransactionBytes() {
        return maxTransactionBytes;
    }

    public void setMaxTransactionBytes(Long maxTransactionBytes) {
        this.maxTransactionBytes = maxTransactionBytes;
    }

    public Integer getFigureSampleSeconds() {
        return figureSampleSeconds;
    }

    public void setFigureSampleSeconds(Integer figureSampleSeconds) {
        this.figureSampleSeconds = figureSampleSeconds;
    }

    public String getStandbyOf() {
        return standbyOf;
    }

    public void setStandbyOf(String standbyOf) {
        this.standbyOf = standbyOf;
    }

    public String getStandbyUser() {
        return standbyUser;
    }

    public void setStandbyUser(String standbyUser) {
        this.standbyUser = standbyUser;
    }

    public String getStandbyPassword() {
        return standbyPassword;
    }

    public void setStandbyPassword(String standbyPassword) {
        this.standbyPassword = standbyPassword;
    }

    public Integer getStandbyIntervalSeconds() {
        return standbyIntervalSeconds;
    }

    public void setStandbyIntervalSeconds(Integer standbyIntervalSeconds) {
        this.standbyIntervalSeconds = standbyIntervalSeconds;
    }

    /** The primary this factory's store follows, or null when it is not a standby. */
    StoreRegistry.Primary primary() throws InvalidPropertyException {
        if (standbyOf == null || standbyOf.isBlank()) {
            return null;
        }
        URI uri;
        try {
            uri = URI.create(standbyOf.trim());
        } catch (IllegalArgumentException e) {
            throw new InvalidPropertyException("Cairn connection factory: standbyOf is not a URL: " + standbyOf);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new InvalidPropertyException("Cairn connection factory: standbyOf must be an http or https URL of the"
                    + " primary's Cairn context root, such as http://primary:9080/cairn, not " + standbyOf);
        }
        if (standbyIntervalSeconds == null || standbyIntervalSeconds < 1) {
            throw new InvalidPropertyException("Cairn connection factory: standbyIntervalSeconds must be 1 or more, was "
                    + standbyIntervalSeconds);
        }
        return new StoreRegistry.Primary(standbyOf.trim(), standbyUser, standbyPassword, standbyIntervalSeconds);
    }

    /** The engine settings these properties give. */
    StoreConfig storeConfig() throws InvalidPropertyException {
        try {
            return StoreConfig.defaults().sizeBytes(sizeBytes).cacheBytes(cacheBytes).arenas(arenas).syncers(syncers)
                    .maxTransactionBytes(maxTransactionBytes);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidPropertyException("Cairn connection factory: " + e.getMessage());
        }
    }

    @Override
    public Object createConnectionFactory(ConnectionManager cm) {
        return new CairnConnectionFactoryImpl(this, cm);
    }

    @Override
    public Object createConnectionFactory() throws ResourceException {
        throw new NotSupportedException("Cairn connections need an application server's connection manager");
    }

    @Override
    public ManagedConnection createManagedConnection(Subject subject, ConnectionRequestInfo info) throws ResourceException {
        return new CairnManagedConnection(this, openStore(), adapter().counters());
    }

    /** This factory's store (opened on first use) with its XA branches. */
    XaBranches openStore() throws ResourceException {
        if (figureSampleSeconds == null || figureSampleSeconds < 0) {
            throw new InvalidPropertyException("Cairn connection factory: figureSampleSeconds must be 0 or more, was " + figureSampleSeconds);
        }
        return adapter().store(storeFile(), storeConfig(), figureSampleSeconds, primary());
    }

    /** This factory's store's figures and the adapter's transaction counters, by name. */
    Map<String, Long> figures() throws ResourceException {
        return adapter().registry().figures(openStore().store());
    }

    /** The figure history of this factory's store (opened on first use); null when sampling is off. */
    FigureHistory history() throws ResourceException {
        openStore();
        return adapter().registry().history(storeFile());
    }

    @Override
    @SuppressWarnings("rawtypes")
    public ManagedConnection matchManagedConnections(Set candidates, Subject subject, ConnectionRequestInfo info) {
        for (Object c : candidates) {
            if (c instanceof CairnManagedConnection mc && mc.factory().equals(this)) {
                return mc;
            }
        }
        return null;
    }

    private Path storeFile() throws InvalidPropertyException {
        if (storePath == null || storePath.isBlank()) {
            throw new InvalidPropertyException("storePath is not set on the Cairn connection factory");
        }
        return Path.of(storePath);
    }

    private CairnResourceAdapter adapter() throws ResourceException {
        if (adapter == null) {
            throw new ResourceException("this connection factory is not associated with the Cairn resource adapter");
        }
        return adapter;
    }

    @Override
    public ResourceAdapter getResourceAdapter() {
        return adapter;
    }

    @Override
    public void setResourceAdapter(ResourceAdapter ra) throws ResourceException {
        if (!(ra instanceof CairnResourceAdapter cra)) {
            throw new ResourceException("expected the Cairn resource adapter, got " + ra);
        }
        this.adapter = cra;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CairnManagedConnectionFactory other && Objects.equals(storePath, other.storePath)
                && Objects.equals(sizeBytes, other.sizeBytes) && Objects.equals(cacheBytes, other.cacheBytes)
                && Objects.equals(arenas, other.arenas) && Objects.equals(syncers, other.syncers)
                && Objects.equals(maxTransactionBytes, other.maxTransactionBytes)
                && Objects.equals(figureSampleSeconds, other.figureSampleSeconds)
                && Objects.equals(standbyOf, other.standbyOf) && Objects.equals(standbyUser, other.standbyUser)
                && Objects.equals(standbyPassword, other.standbyPassword)
                && Objects.equals(standbyIntervalSeconds, other.standbyIntervalSeconds);
    }

    @Override
    public int hashCode() {
        return Objects.hash(storePath, sizeBytes, cacheBytes, arenas, syncers, maxTransactionBytes, figureSampleSeconds,
                standbyOf, standbyUser, standbyIntervalSeconds);
    }

    /**
     * The pool asks this before handing out idle connections: a connection
     * to a store that went read-only (a failed write or fsync) or closed is
     * broken for good, and the pool must destroy it rather than reuse it.
     */
    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Set getInvalidConnections(Set connections) {
        Set invalid = new HashSet();
        for (Object c : connections) {
            if (c instanceof CairnManagedConnection mc && !mc.usable()) {
                invalid.add(mc);
            }
        }
        return invalid;
    }
}
