package dev.cairn.ra;

import dev.cairn.api.CairnConnection;
import dev.cairn.api.CairnConnectionFactory;
import dev.cairn.engine.CairnException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.LazyEnlistableConnectionManager;
import java.util.Map;
import javax.naming.Reference;

/** The factory bound in JNDI: hands out handles through the server's connection manager. */
public class CairnConnectionFactoryImpl implements CairnConnectionFactory {

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
        try {
            return mcf.figures();
        } catch (ResourceException e) {
            throw new CairnException("cannot open the Cairn store: " + e.getMessage(), e);
        }
    }

    @Override
    public java.util.List<dev.cairn.api.FigureSample> history() {
        try {
            return mcf.history();
        } catch (ResourceException e) {
            throw new CairnException("cannot open the Cairn store: " + e.getMessage(), e);
        }
    }

    @Override
    public int historyIntervalSeconds() {
        return mcf.getFigureSampleSeconds();
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

    private dev.cairn.engine.Store store() {
        try {
            return mcf.openStore().store();
        } catch (ResourceException e) {
            throw new CairnException("cannot open the Cairn store: " + e.getMessage(), e);
        }
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
