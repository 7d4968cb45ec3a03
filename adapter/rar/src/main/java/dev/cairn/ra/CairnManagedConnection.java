package dev.cairn.ra;

import dev.cairn.api.CairnException;
import dev.cairn.api.SnapshotTransfer;
import dev.cairn.engine.Store;
import dev.cairn.engine.Txn;
import dev.cairn.engine.backup.SnapshotReceiver;
import dev.cairn.engine.backup.SnapshotSender;
import dev.cairn.engine.object.ValueInfo;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.LazyEnlistableManagedConnection;
import jakarta.resource.spi.LocalTransaction;
import jakarta.resource.spi.LocalTransactionException;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionMetaData;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import javax.security.auth.Subject;
import javax.transaction.xa.XAResource;

/**
 * One pooled connection to a store. While the connection takes part in a
 * transaction — an XA branch between {@code start} and {@code end}, or a local
 * transaction the server began — every handle's work goes into that one engine
 * {@link Txn}; otherwise each call runs in a transaction of its own that
 * commits before the call returns.
 *
 * <p>Enlistment is lazy ({@link LazyEnlistableManagedConnection}): the server
 * does not enlist the connection when the application gets it inside a JTA
 * transaction, but when a handle first does work there (see
 * {@link CairnConnectionHandle}); a connection got and never used leaves the
 * transaction with one resource fewer to prepare.
 *
 * <p>Thread ownership: the server hands a managed connection to one
 * transaction or thread at a time; {@code this} guards the current
 * transaction against a stray second thread.
 */
final class CairnManagedConnection implements ManagedConnection, LazyEnlistableManagedConnection {

    private final CairnManagedConnectionFactory factory;
    private final Store store;
    private final TransactionCounters counters;
    private final List<ConnectionEventListener> listeners = new CopyOnWriteArrayList<>();
    private final Set<CairnConnectionHandle> handles = ConcurrentHashMap.newKeySet();
    private final XaBranches branches;
    /** The transaction this connection's work goes into now, or null between transactions. */
    private Txn current;
    /** Whether {@link #current} is a local transaction (else an XA branch's). */
    private boolean local;
    private PrintWriter logWriter;

    CairnManagedConnection(CairnManagedConnectionFactory factory, XaBranches branches, TransactionCounters counters) {
        this.factory = factory;
        this.branches = branches;
        this.store = branches.store();
        this.counters = counters;
    }

    CairnManagedConnectionFactory factory() {
        return factory;
    }

    // ---- work from handles

    byte[] get(byte[] key) {
        return inTransaction(t -> t.get(key));
    }

    boolean exists(byte[] key) {
        return inTransaction(t -> t.exists(key));
    }

    void put(byte[] key, byte[] value, String contentType) {
        inTransaction(t -> {
            t.put(key, value, contentType);
            return null;
        });
    }

    long putStream(byte[] key, InputStream in) {
        return inTransaction(t -> t.putStream(key, in));
    }

    void createSnapshot(String name) {
        store.createSnapshot(name);
    }

    void deleteSnapshot(String name) {
        store.deleteSnapshot(name);
    }

    List<dev.cairn.api.SnapshotInfo> snapshots() {
        return store.snapshots().stream().map(i -> new dev.cairn.api.SnapshotInfo(i.name(), i.gen())).toList();
    }

    SnapshotTransfer sendSnapshot(String name, String from, OutputStream out) {
        try {
            SnapshotSender.Sent sent = SnapshotSender.send(store, name, from, out);
            return new SnapshotTransfer(name, from, sent.puts(), sent.deletes());
        } catch (IOException e) {
            throw new UncheckedIOException("writing snapshot " + name + "'s stream failed: " + e.getMessage(), e);
        }
    }

    /** In a transaction of the receiver's own, never the caller's: a stream is applied whole or not at all. */
    SnapshotTransfer receiveSnapshot(InputStream in) {
        store.standby().checkWrite(); // a standby takes streams from its primary only
        SnapshotReceiver.Received r = SnapshotReceiver.into(store, in);
        return new SnapshotTransfer(r.snapshot(), r.base(), r.puts(), r.deletes());
    }

    /** A stream on the snapshot that owns its read-only transaction until closed. */
    InputStream getStreamAt(String snapshot, byte[] key) {
        return owning(store.beginAt(snapshot), key);
    }

    /**
     * Inside the server's transaction: a stream on it, valid until it ends.
     * Outside one: a stream that owns a read-only transaction of its own, so
     * its snapshot stays pinned until the caller closes the stream.
     */
    synchronized InputStream getStream(byte[] key) {
        if (current != null) {
            return current.getStream(key);
        }
        return owning(store.begin(), key);
    }

    /** The stream of {@code key} in {@code own}, closing {@code own} with the stream (or at once when absent). */
    private static InputStream owning(Txn own, byte[] key) {
        InputStream in = readOrClose(own, t -> t.getStream(key));
        return in == null ? null : closingWith(in, own);
    }

    /** What {@code read} finds in {@code own}; when it finds nothing or fails, {@code own} is closed at once. */
    private static <T> T readOrClose(Txn own, Function<Txn, T> read) {
        T found;
        try {
            found = read.apply(own);
        } catch (RuntimeException e) {
            own.close();
            throw e;
        }
        if (found == null) {
            own.close();
        }
        return found;
    }

    /** {@code in}, closing {@code own} when it is closed. */
    private static InputStream closingWith(InputStream in, Txn own) {
        return new FilterInputStream(in) {
            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    own.close();
                }
            }
        };
    }

    List<dev.cairn.api.ObjectInfo> list(byte[] prefix, byte[] after, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, was " + limit);
        }
        byte[] from = prefix == null ? new byte[0] : prefix;
        if (after != null && Arrays.compareUnsigned(after, from) >= 0) {
            from = Arrays.copyOf(after, after.length + 1); // the first key after `after`
        }
        byte[] to = prefixEnd(prefix);
        byte[] start = from;
        return inTransaction(t -> {
            List<dev.cairn.api.ObjectInfo> out = new ArrayList<>();
            for (Map.Entry<byte[], ValueInfo> e : t.infos(start, to)) {
                if (out.size() == limit) {
                    break;
                }
                out.add(new dev.cairn.api.ObjectInfo(e.getKey(), e.getValue().size(), e.getValue().contentType()));
            }
            return out;
        });
    }

    /** The first key after every key that starts with {@code prefix}, or null when there is none. */
    private static byte[] prefixEnd(byte[] prefix) {
        if (prefix == null) {
            return null;
        }
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xff) {
                byte[] end = Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return end;
            }
        }
        return null;
    }

    boolean delete(byte[] key) {
        return inTransaction(t -> t.delete(key));
    }

    /**
     * The object with its size and tag from one snapshot. Inside the
     * server's transaction, read in it; outside one, in a read-only
     * transaction of its own that the returned stream closes.
     */
    synchronized dev.cairn.api.StoredObject open(byte[] key) {
        if (current != null) {
            return openIn(current, key);
        }
        Txn own = store.begin();
        dev.cairn.api.StoredObject o = readOrClose(own, t -> openIn(t, key));
        return o == null ? null
                : new dev.cairn.api.StoredObject(o.size(), o.etag(), o.contentType(), closingWith(o.content(), own));
    }

    private static dev.cairn.api.StoredObject openIn(Txn t, byte[] key) {
        String tag = t.etag(key);
        if (tag == null) {
            return null;
        }
        ValueInfo info = null;
        for (Map.Entry<byte[], ValueInfo> e : t.infos(key, Arrays.copyOf(key, key.length + 1))) {
            info = e.getValue();
        }
        return new dev.cairn.api.StoredObject(info.size(), tag, info.contentType(), t.getStream(key));
    }

    dev.cairn.api.WriteResult putStream(byte[] key, InputStream in, dev.cairn.api.Precondition when,
                                        String contentType) {
        return inTransaction(t -> {
            boolean created = when.isNone() ? !t.peekExists(key) : check(t, key, when) == null;
            long length = t.putStream(key, in, contentType);
            return new dev.cairn.api.WriteResult(created, length, t.etag(key));
        });
    }

    boolean delete(byte[] key, dev.cairn.api.Precondition when) {
        return inTransaction(t -> {
            if (!when.isNone()) {
                check(t, key, when);
            }
            return t.delete(key);
        });
    }

    /** The key's current tag, read in {@code t}, once {@code when} holds for it; throws when it does not. */
    private static String check(Txn t, byte[] key, dev.cairn.api.Precondition when) {
        String tag = t.etag(key);
        String why = when.failure(tag);
        if (why != null) {
            throw new dev.cairn.api.PreconditionFailedException("precondition failed for key "
                    + new String(key, StandardCharsets.UTF_8) + ": " + why + "; nothing was written");
        }
        return tag;
    }

    /**
     * All of {@code writes} or none: outside a transaction they commit
     * together here; inside one, a write that fails after others were
     * applied dooms the transaction (it can only roll back), since they
     * cannot be taken out of it again.
     */
    int write(List<dev.cairn.api.Write> writes) {
        return inTransaction(t -> {
            int applied = 0;
            try {
                for (dev.cairn.api.Write w : writes) {
                    if (w.value() == null) {
                        t.delete(w.key());
                    } else {
                        t.put(w.key(), w.value(), w.contentType());
                    }
                    applied++;
                }
            } catch (RuntimeException e) {
                if (applied > 0 && t == current) {
                    t.setRollbackOnly("write " + applied + " of a group of " + writes.size() + " failed: " + e.getMessage());
                }
                throw e;
            }
            return writes.size();
        });
    }

    private synchronized <T> T inTransaction(Function<Txn, T> work) {
        try {
            if (current != null) {
                return work.apply(current);
            }
            try (Txn own = store.begin()) {
                T result = work.apply(own);
                own.commit();
                return result;
            }
        } catch (CairnException e) {
            if (store.isReadOnly()) {
                // The pool must not hand this connection out again as if healthy.
                fire(ConnectionEvent.CONNECTION_ERROR_OCCURRED, null, e);
            }
            throw e;
        }
    }

    /** False once the store is read-only or closed: nothing this connection does can succeed again. */
    boolean usable() {
        return !store.isReadOnly() && !store.isClosed();
    }

    // ---- local transactions, driven by the server's transaction manager

    synchronized void beginLocal() throws LocalTransactionException {
        if (current != null) {
            throw new LocalTransactionException("this Cairn connection is already in a transaction");
        }
        current = store.begin();
        local = true;
        counters.begun.incrementAndGet();
    }

    synchronized void commitLocal() throws LocalTransactionException {
        Txn t = takeLocal();
        try {
            t.commit();
            counters.committed.incrementAndGet();
        } catch (CairnException e) {
            counters.failed.incrementAndGet();
            LocalTransactionException lte = new LocalTransactionException("Cairn commit failed: " + e.getMessage());
            lte.initCause(e);
            throw lte;
        }
    }

    synchronized void rollbackLocal() throws LocalTransactionException {
        takeLocal().rollback();
        counters.rolledBack.incrementAndGet();
    }

    private Txn takeLocal() throws LocalTransactionException {
        if (current == null || !local) {
            throw new LocalTransactionException("no local transaction is active on this Cairn connection");
        }
        Txn t = current;
        current = null;
        return t;
    }

    // ---- XA branches, driven through CairnXAResource

    synchronized boolean inTransaction() {
        return current != null;
    }

    /** Sends this connection's work into {@code branch} until {@link #dissociate}. */
    synchronized void associate(Txn branch) {
        current = branch;
        local = false;
    }

    /** Ends the association with {@code branch}, if this connection has it. */
    synchronized void dissociate(Txn branch) {
        if (current == branch && !local) {
            current = null;
        }
    }

    // ---- ManagedConnection

    @Override
    public Object getConnection(Subject subject, ConnectionRequestInfo info) {
        CairnConnectionHandle h = new CairnConnectionHandle(this);
        handles.add(h);
        return h;
    }

    @Override
    public void associateConnection(Object connection) throws ResourceException {
        if (!(connection instanceof CairnConnectionHandle h)) {
            throw new ResourceException("not a Cairn connection handle: " + connection);
        }
        h.associate(this);
        handles.add(h);
    }

    void handleClosed(CairnConnectionHandle h) {
        handles.remove(h);
        fire(ConnectionEvent.CONNECTION_CLOSED, h, null);
    }

    private void fire(int type, CairnConnectionHandle handle, Exception error) {
        ConnectionEvent event = error == null ? new ConnectionEvent(this, type) : new ConnectionEvent(this, type, error);
        if (handle != null) {
            event.setConnectionHandle(handle);
        }
        for (ConnectionEventListener l : listeners) {
            switch (type) {
                case ConnectionEvent.CONNECTION_CLOSED -> l.connectionClosed(event);
                case ConnectionEvent.CONNECTION_ERROR_OCCURRED -> l.connectionErrorOccurred(event);
                default -> throw new IllegalArgumentException("event type " + type);
            }
        }
    }

    @Override
    public synchronized void cleanup() {
        handles.forEach(CairnConnectionHandle::invalidate);
        handles.clear();
        if (current != null && local) {
            // The server abandoned a local transaction it never completed; nothing
            // of it reached the store before commit, so dropping it is the whole rollback.
            current.rollback();
            counters.rolledBack.incrementAndGet();
        }
        // An XA branch is not the connection's to end: the transaction manager
        // completes it through any XAResource of this store.
        current = null;
    }

    @Override
    public void destroy() {
        cleanup();
    }

    @Override
    public LocalTransaction getLocalTransaction() {
        return new CairnLocalTransaction(this);
    }

    @Override
    public XAResource getXAResource() {
        return new CairnXAResource(this, branches, counters);
    }

    @Override
    public void addConnectionEventListener(ConnectionEventListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeConnectionEventListener(ConnectionEventListener listener) {
        listeners.remove(listener);
    }

    @Override
    public ManagedConnectionMetaData getMetaData() {
        return new ManagedConnectionMetaData() {
            @Override
            public String getEISProductName() {
                return "Cairn";
            }

            @Override
            public String getEISProductVersion() {
                return "0.1";
            }

            @Override
            public int getMaxConnections() {
                return 0;
            }

            @Override
            public String getUserName() {
                return null;
            }
        };
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }
}
