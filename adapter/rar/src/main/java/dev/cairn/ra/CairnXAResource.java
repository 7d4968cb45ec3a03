package dev.cairn.ra;

import dev.cairn.api.CairnException;
import dev.cairn.api.NoSuchTransactionException;
import dev.cairn.api.WriteConflictException;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * A connection's XAResource. Work between {@code start} and {@code end} goes
 * into the branch's engine transaction; {@code prepare} makes the branch's
 * writes and its xid durable without publishing them (the engine holds their
 * keys against other writers); {@code commit} and {@code rollback} of a
 * prepared branch are durable before they return, and {@code recover} lists
 * the prepared branches the store holds, after a restart too.
 *
 * <p>Error codes: a write conflict or a branch marked failed rolls back
 * ({@code XA_RB*}); an unknown xid is {@code XAER_NOTA}; a store that cannot
 * write (read-only after a failed fsync, closed) is {@code XAER_RMFAIL}, so
 * the transaction manager keeps the outcome and completes it through
 * {@code recover} once the store is back.
 */
final class CairnXAResource implements XAResource {

    private final CairnManagedConnection connection;
    private final XaBranches branches;
    private final TransactionCounters counters;

    CairnXAResource(CairnManagedConnection connection, XaBranches branches, TransactionCounters counters) {
        this.connection = connection;
        this.branches = branches;
        this.counters = counters;
    }

    @Override
    public void start(Xid xid, int flags) throws XAException {
        byte[] id = encode(xid);
        if (connection.inTransaction()) {
            throw error(XAException.XAER_PROTO, "this Cairn connection is already in a transaction");
        }
        XaBranches.Branch b;
        if ((flags & (TMJOIN | TMRESUME)) != 0) {
            b = branches.get(id);
            if (b == null) {
                throw error(XAException.XAER_NOTA, "no active branch " + xid + " to join or resume");
            }
        } else if (flags == TMNOFLAGS) {
            try {
                b = branches.begin(id);
            } catch (CairnException e) {
                throw error(XAException.XAER_RMFAIL, e);
            }
            if (b == null) {
                throw error(XAException.XAER_DUPID, "branch " + xid + " has started already");
            }
        } else {
            throw error(XAException.XAER_INVAL, "start flags " + flags);
        }
        connection.associate(b.txn);
    }

    @Override
    public void end(Xid xid, int flags) throws XAException {
        XaBranches.Branch b = branches.get(encode(xid));
        if (b == null) {
            throw error(XAException.XAER_NOTA, "no active branch " + xid);
        }
        connection.dissociate(b.txn);
        if ((flags & TMFAIL) != 0) {
            b.rollbackOnly = true;
        }
    }

    @Override
    public int prepare(Xid xid) throws XAException {
        byte[] id = encode(xid);
        XaBranches.Branch b = takeActive(id, xid);
        if (b.rollbackOnly || b.txn.isRollbackOnly()) {
            b.txn.rollback();
            counters.xaRolledBack.incrementAndGet();
            throw error(XAException.XA_RBROLLBACK, "branch " + xid + (b.rollbackOnly ? " ended with TMFAIL"
                    : " is rollback-only: a group of writes in it failed part way"));
        }
        if (!b.txn.hasWrites()) {
            b.txn.rollback(); // nothing to make durable: the read-only optimisation
            counters.xaReadOnly.incrementAndGet();
            return XA_RDONLY;
        }
        try {
            b.txn.prepare(id);
        } catch (WriteConflictException e) {
            counters.xaRolledBack.incrementAndGet();
            throw error(XAException.XA_RBROLLBACK, e);
        } catch (CairnException e) {
            counters.xaFailed.incrementAndGet();
            throw error(XAException.XAER_RMFAIL, e);
        }
        counters.xaPrepared.incrementAndGet();
        FailPoint.reached(FailPoint.XA_PREPARED);
        return XA_OK;
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
        byte[] id = encode(xid);
        if (onePhase) {
            XaBranches.Branch b = takeActive(id, xid);
            if (b.rollbackOnly || b.txn.isRollbackOnly()) {
                b.txn.rollback();
                counters.xaRolledBack.incrementAndGet();
                throw error(XAException.XA_RBROLLBACK, "branch " + xid + (b.rollbackOnly ? " ended with TMFAIL"
                        : " is rollback-only: a group of writes in it failed part way"));
            }
            try {
                b.txn.commit();
            } catch (WriteConflictException e) {
                counters.xaRolledBack.incrementAndGet();
                throw error(XAException.XA_RBROLLBACK, e);
            } catch (CairnException e) {
                counters.xaFailed.incrementAndGet();
                throw error(XAException.XAER_RMFAIL, e);
            }
            counters.xaCommitted.incrementAndGet();
            return;
        }
        if (branches.get(id) != null) {
            throw error(XAException.XAER_PROTO, "branch " + xid + " is not prepared: two-phase commit needs prepare first");
        }
        FailPoint.reached(FailPoint.XA_COMMIT);
        completePrepared(id, true);
    }

    @Override
    public void rollback(Xid xid) throws XAException {
        byte[] id = encode(xid);
        XaBranches.Branch b = branches.remove(id);
        if (b != null) {
            b.txn.close(); // nothing of an unprepared branch reached the store
            counters.xaRolledBack.incrementAndGet();
            return;
        }
        completePrepared(id, false);
    }

    /** Publishes or drops a prepared branch, durably; the outcome the store cannot write stays for recovery. */
    private void completePrepared(byte[] id, boolean commit) throws XAException {
        try {
            if (commit) {
                branches.store().commitPrepared(id);
            } else {
                branches.store().rollbackPrepared(id);
            }
        } catch (NoSuchTransactionException e) {
            throw error(XAException.XAER_NOTA, e);
        } catch (CairnException e) {
            counters.xaFailed.incrementAndGet();
            throw error(XAException.XAER_RMFAIL, e);
        }
        (commit ? counters.xaCommitted : counters.xaRolledBack).incrementAndGet();
    }

    /** Every prepared branch at the start of a scan; the whole list fits one answer, so later calls return none. */
    @Override
    public Xid[] recover(int flags) throws XAException {
        if ((flags & TMSTARTRSCAN) == 0) {
            return new Xid[0];
        }
        List<byte[]> ids;
        try {
            ids = branches.store().recover();
        } catch (CairnException e) {
            throw error(XAException.XAER_RMFAIL, e);
        }
        Xid[] out = new Xid[ids.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = XidCodec.decode(ids.get(i));
        }
        return out;
    }

    /** Cairn never completes a branch on its own (no heuristic decisions), so there is nothing to forget. */
    @Override
    public void forget(Xid xid) throws XAException {
        throw error(XAException.XAER_NOTA, "Cairn makes no heuristic decisions; nothing to forget for " + xid);
    }

    @Override
    public boolean isSameRM(XAResource other) {
        return other instanceof CairnXAResource x && x.branches == branches;
    }

    @Override
    public int getTransactionTimeout() {
        return 0;
    }

    /** Cairn holds no locks while a branch is active (snapshot isolation), so it needs no timeout of its own. */
    @Override
    public boolean setTransactionTimeout(int seconds) {
        return false;
    }

    private XaBranches.Branch takeActive(byte[] id, Xid xid) throws XAException {
        XaBranches.Branch b = branches.remove(id);
        if (b == null) {
            throw error(XAException.XAER_NOTA, "no active branch " + xid);
        }
        connection.dissociate(b.txn);
        return b;
    }

    private static byte[] encode(Xid xid) throws XAException {
        if (xid == null) {
            throw error(XAException.XAER_INVAL, "null xid");
        }
        try {
            return XidCodec.encode(xid);
        } catch (IllegalArgumentException e) {
            throw error(XAException.XAER_INVAL, e.getMessage());
        }
    }

    private static XAException error(int code, String message) {
        XAException e = new XAException(message);
        e.errorCode = code;
        return e;
    }

    private static XAException error(int code, Exception cause) {
        XAException e = error(code, cause.getMessage());
        e.initCause(cause);
        return e;
    }
}
