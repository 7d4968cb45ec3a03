package dev.cairn.ra;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.LocalTransaction;

/**
 * The server's handle on a connection's local transaction, for servers that
 * choose local transactions over XA (Liberty uses the XAResource, since the
 * adapter declares XA support): commit is the engine's durable commit.
 */
final class CairnLocalTransaction implements LocalTransaction {

    private final CairnManagedConnection connection;

    CairnLocalTransaction(CairnManagedConnection connection) {
        this.connection = connection;
    }

    @Override
    public void begin() throws ResourceException {
        connection.beginLocal();
    }

    @Override
    public void commit() throws ResourceException {
        connection.commitLocal();
    }

    @Override
    public void rollback() throws ResourceException {
        connection.rollbackLocal();
    }
}
