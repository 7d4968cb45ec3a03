package dev.cairn.ra;

import dev.cairn.api.CairnConnection;
import dev.cairn.api.CairnConnectionFactory;
import dev.cairn.api.CairnException;
import dev.cairn.api.StoreUnavailableException;
import jakarta.resource.Referenceable;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.LazyEnlistableConnectionManager;
import java.util.List;
import java.util.Map;
import javax.naming.Reference;

/**
 * The factory bound in JNDI: hands out handles through the server's connection
 * manager. Referenceable here, not in the API interface, so that applications
 * compile against an API with no jakarta.* in it.
 */
public class CairnConnectionFactoryImpl implements CairnConnectionFactory, Referenceable {

    private static final long serialVersionUID = 1L;

    private final CairnManagedConnectionFactory mcf;
    private final ConnectionManager connectionManager;
    private Reference reference;

    CairnConnectionFactoryImpl(CairnManagedConnectionFactory mcf, ConnectionManager connectionManager) {
        this.mcf = mcf;
        this.connectionManager = connectionManager;
    }

    @Override
    public CairnConnection getConnection() {
        try {
            // Opened here first, not by the connection manager: a store that cannot be opened is
            // the administrator's to fix, and each request would otherwise log the manager's
            // stack trace (J2CA0046E) for it.
            mcf.openStore();
        } catch (ResourceException | CairnException e) {
            throw new StoreUnavailableException("the Cairn store " + mcf.getStorePath() + " cannot be opened: "
                    + (e.getCause() instanceof CairnException ce ? ce.getMessage() : e.getMessage()), e);
        }
        try {
            CairnConnection c = (CairnConnection) connectionManager.allocateConnection(mcf, null);
            if (c instanceof CairnConnectionHandle h && connectionManager instanceof LazyEnlistableConnectionManager lazy) {
                h.enlistThrough(lazy);
            }
            return c;
        } catch (ResourceException e) {
            if (e.getCause() instanceof CairnException ce) {
                throw ce;
            }
            throw new CairnException("cannot get a Cairn connection: " + e.getMessage(), e);
        }
    }

    @Override
    public Map<String, Long> statistics() {
        return onStore(mcf::figures);
    }

    @Override
    public List<dev.cairn.api.FigureSample> history() {
        FigureHistory h = onStore(mcf::history);
        return h == null ? List.of() : h.samples();
    }

    @Override
    public int historyIntervalSeconds() {
        FigureHistory h = onStore(mcf::history);
        return h == null ? 0 : h.intervalSeconds();
    }

    @Override
    public long sync() {
        return store().sync();
    }

    @Override
    public String readOnlyReason() {
        return store().readOnlyReason();
    }

    @Override
    public dev.cairn.api.CheckResult check() {
        dev.cairn.engine.check.CheckReport r = store().check();
        return new dev.cairn.api.CheckResult(r.ok(), r.problems(), r.notes(), r.syncGen(), r.reachableBlocks(), r.leakedBlocks());
    }

    @Override
    public long compressLogs() {
        return store().compressLogs();
    }

    /** For the adapter's inbound side: the factory whose store an activation names. */
    CairnManagedConnectionFactory managedConnectionFactory() {
        return mcf;
    }

    private dev.cairn.engine.Store store() {
        return onStore(() -> mcf.openStore().store());
    }

    /** What {@code call} gives from this factory's store, opening it on first use. */
    private <T> T onStore(StoreCall<T> call) {
        try {
            return call.get();
        } catch (ResourceException e) {
            throw new CairnException("cannot open the Cairn store: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface StoreCall<T> {
        T get() throws ResourceException;
    }

    @Override
    public void setReference(Reference reference) {
        this.reference = reference;
    }

    @Override
    public Reference getReference() {
        return reference;
    }
}
