package dev.cairn.ra;

import dev.cairn.api.CairnConnection;
import dev.cairn.api.CairnException;
import dev.cairn.api.ConnectionClosedException;
import dev.cairn.api.SnapshotTransfer;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.LazyEnlistableConnectionManager;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * The application's handle on a pooled {@link CairnManagedConnection}. The
 * server may move a handle to another managed connection
 * ({@code associateConnection}) when connections are shared.
 *
 * <p>Every operation, reads included, first asks the server to enlist the
 * connection in the caller's JTA transaction if it is not in one yet (lazy
 * enlistment): a transaction's reads must come from its own snapshot, and a
 * connection that is never used is never enlisted. Outside a JTA
 * transaction the server enlists nothing and the call commits on its own.
 */
public class CairnConnectionHandle implements CairnConnection {

    private CairnManagedConnection managed;
    private boolean closed;
    /** The server's connection manager when it enlists lazily; null otherwise (enlisted at allocation). */
    private LazyEnlistableConnectionManager enlister;

    CairnConnectionHandle(CairnManagedConnection managed) {
        this.managed = managed;
    }

    synchronized void enlistThrough(LazyEnlistableConnectionManager connectionManager) {
        this.enlister = connectionManager;
    }

    synchronized void associate(CairnManagedConnection to) {
        this.managed = to;
    }

    /** Called when the server cleans up the managed connection under this handle. */
    synchronized void invalidate() {
        closed = true;
        managed = null;
    }

    private synchronized CairnManagedConnection open() {
        if (closed || managed == null) {
            throw new ConnectionClosedException("this Cairn connection is closed");
        }
        return managed;
    }

    /** The managed connection, enlisted first for work that belongs to the caller's transaction. */
    private CairnManagedConnection managed() {
        CairnManagedConnection m;
        LazyEnlistableConnectionManager cm;
        synchronized (this) {
            m = open();
            cm = enlister;
        }
        if (cm != null && !m.inTransaction()) {
            try {
                cm.lazyEnlist(m); // enlists in the caller's JTA transaction, if there is one
            } catch (ResourceException e) {
                throw new CairnException("cannot enlist this Cairn connection in the current transaction: " + e.getMessage(), e);
            }
        }
        return m;
    }

    @Override
    public byte[] get(byte[] key) {
        return managed().get(key);
    }

    @Override
    public boolean exists(byte[] key) {
        return managed().exists(key);
    }

    @Override
    public void put(byte[] key, byte[] value, String contentType) {
        managed().put(key, value, contentType);
    }

    @Override
    public long putStream(byte[] key, InputStream in) {
        return managed().putStream(key, in);
    }

    @Override
    public InputStream getStream(byte[] key) {
        return managed().getStream(key);
    }

    @Override
    public List<dev.cairn.api.ObjectInfo> list(byte[] prefix, byte[] after, int limit) {
        return managed().list(prefix, after, limit);
    }

    @Override
    public void createSnapshot(String name) {
        open().createSnapshot(name);
    }

    @Override
    public void deleteSnapshot(String name) {
        open().deleteSnapshot(name);
    }

    @Override
    public List<dev.cairn.api.SnapshotInfo> snapshots() {
        return open().snapshots();
    }

    @Override
    public SnapshotTransfer sendSnapshot(String name, String from, OutputStream out) {
        return open().sendSnapshot(name, from, out);
    }

    @Override
    public SnapshotTransfer receiveSnapshot(InputStream in) {
        return open().receiveSnapshot(in);
    }

    @Override
    public InputStream getStreamAt(String snapshot, byte[] key) {
        return open().getStreamAt(snapshot, key);
    }

    @Override
    public boolean delete(byte[] key) {
        return managed().delete(key);
    }

    @Override
    public dev.cairn.api.StoredObject open(byte[] key) {
        return managed().open(key);
    }

    @Override
    public dev.cairn.api.WriteResult putStream(byte[] key, InputStream in, dev.cairn.api.Precondition when,
                                               String contentType) {
        return managed().putStream(key, in, when, contentType);
    }

    @Override
    public boolean delete(byte[] key, dev.cairn.api.Precondition when) {
        return managed().delete(key, when);
    }

    @Override
    public int write(List<dev.cairn.api.Write> writes) {
        return managed().write(writes);
    }

    @Override
    public void close() {
        CairnManagedConnection m;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            m = managed;
            managed = null;
        }
        if (m != null) {
            m.handleClosed(this);
        }
    }
}
