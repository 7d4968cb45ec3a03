package dev.cairn.ra;

import dev.cairn.api.CairnConnection;
import dev.cairn.api.CairnConnectionFactory;
import dev.cairn.engine.CairnException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
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
            return (CairnConnection) connectionManager.allocateConnection(mcf, null);
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
            return mcf.statistics();
        } catch (ResourceException e) {
            throw new CairnException("cannot read Cairn statistics: " + e.getMessage(), e);
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
