package dev.cairn.ra;

import dev.cairn.engine.Store;
import dev.cairn.engine.Txn;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The XA branches of one store that have started but are not yet prepared,
 * committed in one phase or rolled back. Shared by every connection to the
 * store, because XA lets a transaction manager join, prepare and complete a
 * branch through any XAResource of the same resource manager. Once prepared,
 * a branch lives only in the store (durably) until it is completed.
 *
 * <p>Locking: every method is synchronized on this table and does no I/O
 * under the lock.
 */
final class XaBranches {

    /** One active branch: the engine transaction its work goes into. */
    static final class Branch {
        final Txn txn;
        /** Set when the branch ended with TMFAIL: it can only roll back. */
        boolean rollbackOnly;

        Branch(Txn txn) {
            this.txn = txn;
        }
    }

    private final Store store;
    private final Map<ByteBuffer, Branch> active = new HashMap<>();

    XaBranches(Store store) {
        this.store = store;
    }

    Store store() {
        return store;
    }

    /** Begins a new branch, or returns null when {@code xid} already has one. */
    synchronized Branch begin(byte[] xid) {
        ByteBuffer k = ByteBuffer.wrap(xid);
        if (active.containsKey(k)) {
            return null;
        }
        Branch b = new Branch(store.begin());
        active.put(k, b);
        return b;
    }

    synchronized Branch get(byte[] xid) {
        return active.get(ByteBuffer.wrap(xid));
    }

    /** Takes the branch out of the table; its caller finishes it. */
    synchronized Branch remove(byte[] xid) {
        return active.remove(ByteBuffer.wrap(xid));
    }
}
