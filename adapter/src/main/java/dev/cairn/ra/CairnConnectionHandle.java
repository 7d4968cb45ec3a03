package dev.cairn.ra;

import dev.cairn.api.CairnConnection;
import dev.cairn.api.ConnectionClosedException;

/**
 * The application's handle on a pooled {@link CairnManagedConnection}. The
 * server may move a handle to another managed connection
 * ({@code associateConnection}) when connections are shared.
 */
public class CairnConnectionHandle implements CairnConnection {

    private CairnManagedConnection managed;
    private boolean closed;

    CairnConnectionHandle(CairnManagedConnection managed) {
        this.managed = managed;
    }

    synchronized void associate(CairnManagedConnection to) {
        this.managed = to;
    }

    /** Called when the server cleans up the managed connection under this handle. */
    synchronized void invalidate() {
        closed = true;
        managed = null;
    }

    private synchronized CairnManagedConnection managed() {
        if (closed || managed == null) {
            throw new ConnectionClosedException("this Cairn connection is closed");
        }
        return managed;
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
    public void put(byte[] key, byte[] value) {
        managed().put(key, value);
    }

    @Override
    public long putStream(byte[] key, java.io.InputStream in) {
        return managed().putStream(key, in);
    }

    @Override
    public java.io.InputStream getStream(byte[] key) {
        return managed().getStream(key);
    }

    @Override
    public java.util.List<dev.cairn.api.ObjectInfo> list(byte[] prefix, byte[] after, int limit) {
        return managed().list(prefix, after, limit);
    }

    @Override
    public void createSnapshot(String name) {
        managed().createSnapshot(name);
    }

    @Override
    public void deleteSnapshot(String name) {
        managed().deleteSnapshot(name);
    }

    @Override
    public java.util.List<dev.cairn.api.SnapshotInfo> snapshots() {
        return managed().snapshots();
    }

    @Override
    public java.io.InputStream getStreamAt(String snapshot, byte[] key) {
        return managed().getStreamAt(snapshot, key);
    }

    @Override
    public boolean delete(byte[] key) {
        return managed().delete(key);
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
