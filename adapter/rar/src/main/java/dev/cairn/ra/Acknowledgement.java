package dev.cairn.ra;

import dev.cairn.engine.Store;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * The resource a transacted delivery of one change enlists in its
 * transaction: its commit writes the subscription's new position, durably,
 * so the event counts as delivered exactly when the bean's transaction
 * commits. It prepares nothing durable: a crash after the transaction's
 * other resources committed and before this commit leaves the old position,
 * and the event is delivered again (at least once; there is nothing to
 * recover, so {@link #recover} lists no branch). A failed write is logged
 * and redelivers the event in the same way, rather than telling the
 * transaction manager of a heuristic outcome for a write that only repeats
 * a delivery.
 */
final class Acknowledgement implements XAResource {

    private static final Logger LOG = Logger.getLogger(Acknowledgement.class.getName());

    private final Store store;
    private final String subscription;
    private final long position;
    private volatile boolean enlisted;
    private volatile boolean committed;
    private int timeout;

    Acknowledgement(Store store, String subscription, long position) {
        this.store = store;
        this.subscription = subscription;
        this.position = position;
    }

    /**
     * The resource recovery is given: nothing is in doubt, and the outcome
     * of a branch the manager logged is already settled (its commit wrote
     * the position, or the event is delivered again), so it does nothing.
     */
    static Acknowledgement forRecovery() {
        return new Acknowledgement(null, null, 0);
    }

    boolean enlisted() {
        return enlisted;
    }

    boolean committed() {
        return committed;
    }

    @Override
    public void start(Xid xid, int flags) {
        enlisted = true;
    }

    @Override
    public void end(Xid xid, int flags) {
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        if (store == null) {
            throw new XAException(XAException.XAER_NOTA);
        }
        if (store.isClosed() || store.isReadOnly()) {
            throw new XAException(XAException.XAER_RMFAIL); // the write at commit could not happen: roll back, deliver again
        }
        return XA_OK; // never XA_RDONLY: its commit is the acknowledgement
    }

    @Override
    public void commit(Xid xid, boolean onePhase) {
        if (store == null) {
            return; // recovery's: see forRecovery
        }
        try {
            store.changes().acknowledge(subscription, position);
            committed = true;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Cairn subscription " + subscription + ": acknowledging change " + position
                    + " failed; it will be delivered again", e);
        }
    }

    @Override
    public void rollback(Xid xid) {
    }

    @Override
    public void forget(Xid xid) {
    }

    @Override
    public Xid[] recover(int flag) {
        return new Xid[0];
    }

    @Override
    public boolean isSameRM(XAResource other) {
        return other == this;
    }

    @Override
    public int getTransactionTimeout() {
        return timeout;
    }

    @Override
    public boolean setTransactionTimeout(int seconds) {
        timeout = seconds;
        return true;
    }
}
