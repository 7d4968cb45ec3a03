package dev.cairn.engine;

import dev.cairn.api.NoSuchSnapshotException;
import dev.cairn.engine.alloc.Reserve;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.txn.SnapshotTable;
import java.util.ArrayList;
import java.util.List;

/**
 * A store's named snapshots: taken and deleted through the store's commit
 * path (each a durable change of its own, under {@code commitLock}), listed
 * and read from the durable snapshot table, as a transaction reads the
 * durable root. The table's format and dead lists are {@link SnapshotTable}'s.
 */
final class NamedSnapshots {

    private final Store store;

    NamedSnapshots(Store store) {
        this.store = store;
    }

    /**
     * Starts a read-only transaction on snapshot {@code name}: it reads the
     * store as it was when the snapshot was taken.
     *
     * @throws CairnException when there is no such snapshot
     */
    Txn beginAt(String name) {
        store.checkOpen();
        long pin = store.blocks.epochs().pin(); // before reading the root: see BlockStore.sync's onDurable
        Store.Snapshot s = store.durable;
        SnapshotTable.Info info;
        try {
            // The durable table, as begin() reads the durable root: a snapshot whose creation is
            // not yet durable (and takes commits that are not either) is not there yet, and one
            // whose deletion is not yet durable still is.
            info = SnapshotTable.find(store.blocks, s.table(), name);
        } catch (RuntimeException e) {
            store.blocks.epochs().unpin(pin);
            throw e;
        }
        if (info == null) {
            store.blocks.epochs().unpin(pin);
            throw new NoSuchSnapshotException("no snapshot is named " + name);
        }
        store.blocks.epochs().narrow(pin, info.root().gen());
        while (!store.conflicts.began(s.seq())) { // it cannot write, but ends as any transaction does
            s = store.durable;
        }
        return new Txn(store, new Store.Snapshot(info.root(), Bptr.NONE, s.seq()), pin, name);
    }

    /**
     * Takes snapshot {@code name} of everything committed so far, instantly
     * (no data is copied: copy-on-write keeps what it reaches), durably.
     */
    void create(String name) {
        store.durably(() -> store.blocks.withinGeneration(() -> {
            Store.Snapshot a = store.applied;
            Bptr table = store.snapshots.create(a.table(), name, a.root(), store.blocks.openGeneration());
            store.applied = new Store.Snapshot(a.root(), table, a.seq() + 1);
            return a.seq() + 1;
        }));
    }

    /** Deletes snapshot {@code name}, durably, freeing exactly the blocks no other version reaches. */
    void delete(String name) {
        store.durably(() -> store.blocks.removingWithinGeneration(Reserve.ALL, () -> {
            Store.Snapshot a = store.applied;
            List<Bptr> toFree = new ArrayList<>();
            Bptr table = store.snapshots.delete(a.table(), name, toFree);
            store.applied = new Store.Snapshot(a.root(), table, a.seq() + 1);
            toFree.forEach(store.blocks::free);
            return a.seq() + 1;
        }));
    }

    /**
     * The snapshots, oldest first: those {@link #beginAt} opens, read from the
     * durable table (one being created appears when its creation is durable;
     * one being deleted stays listed until its deletion is).
     */
    List<SnapshotTable.Info> list() {
        store.checkOpen();
        long pin = store.blocks.epochs().pin(); // before reading the table: see BlockStore.sync's onDurable
        try {
            return List.copyOf(SnapshotTable.load(store.blocks, store.durable.table()).all());
        } finally {
            store.blocks.epochs().unpin(pin);
        }
    }
}
