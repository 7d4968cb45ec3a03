package dev.cairn.ra;

import dev.cairn.engine.CairnException;
import dev.cairn.engine.Store;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.Workers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The open stores of one resource adapter, one per file. The adapter owns
 * them: they are opened on first use and closed when the adapter stops.
 *
 * <p>Locking: every method is synchronized on the registry; opening a store
 * (recovery) happens under that lock, so two connection factories naming the
 * same file share one {@link Store}.
 */
final class StoreRegistry {

    private static final Logger LOG = Logger.getLogger(StoreRegistry.class.getName());

    private final Workers workers;
    /** An open store: its XA branches (which hold the store) and its MBean (null when the server refused it). */
    private record Open(XaBranches branches, CairnStoreAdmin admin) {
    }

    private final Map<Path, Open> stores = new HashMap<>();
    private boolean closed;

    StoreRegistry(Workers workers) {
        this.workers = workers;
    }

    /**
     * The store at {@code path} with its table of active XA branches;
     * {@code config} applies when this call opens or creates it.
     */
    synchronized XaBranches acquire(Path path, StoreConfig config) {
        if (closed) {
            throw new CairnException("the Cairn resource adapter has stopped");
        }
        Path key = path.toAbsolutePath().normalize();
        Open open = stores.get(key);
        if (open == null) {
            try {
                if (key.getParent() != null) {
                    Files.createDirectories(key.getParent());
                }
            } catch (IOException e) {
                throw new CairnException("cannot create the directory of store " + key + ": " + e, e);
            }
            Store store = Store.openOrCreate(key, FailPoint.withFaults(key, config.workers(workers)));
            int prepared = store.recover().size();
            LOG.info(() -> "Cairn store " + key + " is open" + (prepared == 0 ? ""
                    : "; " + prepared + " prepared XA transaction(s) await the transaction manager's recovery"));
            open = new Open(new XaBranches(store), CairnStoreAdmin.register(store));
            stores.put(key, open);
        }
        return open.branches();
    }

    synchronized void closeAll() {
        closed = true;
        List<Open> open = List.copyOf(stores.values());
        stores.clear();
        for (Open o : open) {
            if (o.admin() != null) {
                o.admin().unregister();
            }
            Store s = o.branches().store();
            try {
                s.close();
                LOG.info(() -> "Cairn store " + s.path() + " is closed");
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "closing Cairn store " + s.path() + " failed", e);
            }
        }
    }
}
