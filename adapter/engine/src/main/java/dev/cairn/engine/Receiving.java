package dev.cairn.engine;

import dev.cairn.api.AlreadyExistsException;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.txn.SnapshotTable;
import java.util.SortedMap;

/**
 * The writes that apply snapshot streams ({@code engine.backup}'s receiver):
 * the only writes a standby takes (see {@link Standby}). A receiving
 * transaction is not bound by {@code maxTransactionBytes} (a stream is
 * applied whole or not at all), and commits with the snapshot its contents
 * came from, in one durable step. Runs under the store's commit lock like
 * every commit.
 */
public final class Receiving {

    private final Store store;

    Receiving(Store store) {
        this.store = store;
    }

    /**
     * A transaction that may commit on a standby, as long as the store
     * still follows the primary it followed when this began: a stream
     * still being received when the store is promoted is not applied.
     */
    public Txn begin() {
        Txn t = store.begin();
        t.receiving(store.standby().primary());
        return t;
    }

    /**
     * Commits {@code t} (begun here) and takes snapshot {@code name} of
     * the result in one durable step: a crash leaves both or neither, so
     * a standby always holds the snapshot its contents came from.
     *
     * @throws dev.cairn.api.AlreadyExistsException when the name is taken; nothing is applied
     */
    public void commit(Txn t, String name) {
        t.commitWithSnapshot(name);
    }

    public void createSnapshot(String name) {
        store.named.create(name);
    }

    public void deleteSnapshot(String name) {
        store.named.delete(name);
        store.settleFrees();
    }

    /**
     * Applies a receiving transaction's writes and takes snapshot {@code name}
     * of the result within one generation, so no sync can make one durable
     * without the other. Refused before anything is applied when the name is
     * taken or the store stopped following {@code from}.
     */
    void commitWithSnapshot(Txn t, SortedMap<byte[], Object> writes, String name, String from) {
        store.durably(() -> {
            store.standby().checkStillFollowing(from);
            if (SnapshotTable.find(store.blocks, store.applied.table(), name) != null) {
                throw new AlreadyExistsException("a snapshot named " + name + " exists; the stream was not applied");
            }
        }, () -> store.blocks.withinGeneration(() -> {
            store.admission.checkWritesAllowed(t, writes.keySet());
            long seq = store.applyInternal(CommitPipeline.userWrites(writes), CommitPipeline.onlyDeletes(writes.values()));
            store.conflicts.committed(seq, writes.keySet(), store.durable.seq());
            Store.Snapshot a = store.applied;
            Bptr table = store.snapshots.create(a.table(), name, a.root(), store.blocks.openGeneration());
            store.applied = new Store.Snapshot(a.root(), table, a.seq() + 1);
            store.blocks.epochs().unpin(t.pin());
            return a.seq() + 1;
        }));
    }
}
