package dev.cairn.ra;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.LocalTransaction;

/**
 * The server's handle on a connection's local transaction. Liberty enlists it
 * as the one-phase resource of the caller's JTA transaction: commit there is
 * the engine's durable commit.
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
