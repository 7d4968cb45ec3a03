package dev.cairn.ra;

import dev.cairn.engine.CairnException;
import dev.cairn.engine.Store;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.Workers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
    private final Map<Path, Store> stores = new HashMap<>();
    private boolean closed;

    StoreRegistry(Workers workers) {
        this.workers = workers;
    }

    /** The store at {@code path}; {@code config} applies when this call opens or creates it. */
    synchronized Store acquire(Path path, StoreConfig config) {
        if (closed) {
            throw new CairnException("the Cairn resource adapter has stopped");
        }
        Path key = path.toAbsolutePath().normalize();
        Store store = stores.get(key);
        if (store == null) {
            try {
                if (key.getParent() != null) {
                    Files.createDirectories(key.getParent());
                }
            } catch (IOException e) {
                throw new CairnException("cannot create the directory of store " + key + ": " + e, e);
            }
            store = Store.openOrCreate(key, config.workers(workers));
            LOG.info(() -> "Cairn store " + key + " is open");
            stores.put(key, store);
        }
        return store;
    }

    synchronized void closeAll() {
        closed = true;
        List<Store> open = new ArrayList<>(stores.values());
        stores.clear();
        for (Store s : open) {
            try {
                s.close();
                LOG.info(() -> "Cairn store " + s.path() + " is closed");
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "closing Cairn store " + s.path() + " failed", e);
            }
        }
    }
}
