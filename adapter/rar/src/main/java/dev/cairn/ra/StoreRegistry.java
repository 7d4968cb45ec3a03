package dev.cairn.ra;

import dev.cairn.api.CairnException;
import dev.cairn.engine.Store;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.work.Workers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Timer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The open stores of one resource adapter, one per file. The adapter owns
 * them: they are opened on first use and closed when the adapter stops.
 *
 * <p>Locking: every method that reads or changes the set of open stores is
 * synchronized on the registry; opening a store (recovery) happens under that
 * lock, so two connection factories naming the same file share one
 * {@link Store}. {@link #figures} touches no registry state and takes no lock
 * (the timer's samples must not wait behind a recovery).
 */
final class StoreRegistry {

    private static final Logger LOG = Logger.getLogger(StoreRegistry.class.getName());

    private final Workers workers;
    /** The adapter's timer (BootstrapContext's) that samples each store's figures. */
    private final Timer timer;
    private final TransactionCounters counters;
    private final ChangeDeliveries deliveries;
    /**
     * An open store: its XA branches (which hold the store), its MBean (null
     * when the server refused it) and its figure history (null when sampling is off).
     */
    private record Open(XaBranches branches, CairnStoreAdmin admin, FigureHistory history, StandbyFeed feed) {
    }

    /** The primary a standby store follows: its Cairn context root, an admin's credentials, the seconds between rounds. */
    record Primary(String url, String user, String password, int intervalSeconds) {
        @Override
        public String toString() {
            return url; // never the password
        }
    }

    private final Map<Path, Open> stores = new HashMap<>();
    private boolean closed;

    StoreRegistry(Workers workers, Timer timer, TransactionCounters counters, ChangeDeliveries deliveries) {
        this.workers = workers;
        this.deliveries = deliveries;
        this.timer = timer;
        this.counters = counters;
    }

    /**
     * The store at {@code path} with its table of active XA branches;
     * {@code config}, {@code sampleSeconds} (how often its figures are
     * kept for history; 0: never) and {@code primary} (the primary it is a
     * standby of, or null) apply when this call opens or creates it.
     */
    synchronized XaBranches acquire(Path path, StoreConfig config, int sampleSeconds, Primary primary) {
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
            FigureHistory history = null;
            if (sampleSeconds > 0) {
                history = new FigureHistory(() -> figures(store), sampleSeconds);
                timer.scheduleAtFixedRate(history, 0, sampleSeconds * 1000L);
            }
            StandbyFeed feed = null;
            if (primary != null && Files.exists(CairnStoreAdmin.promotedMarker(key))) {
                LOG.warning(() -> "Cairn store " + key + " was promoted and is a primary: standbyOf (" + primary.url()
                        + ") is ignored; remove it from the configuration");
            } else if (primary != null) {
                store.standby().follow(primary.url());
                feed = new StandbyFeed(store, primary.url(), primary.user(), primary.password(), workers);
                timer.schedule(feed, 0, primary.intervalSeconds() * 1000L);
                LOG.info(() -> "Cairn store " + key + " is a standby of " + primary.url() + ", receiving every "
                        + primary.intervalSeconds() + " s");
            }
            open = new Open(new XaBranches(store), CairnStoreAdmin.register(store, deliveries), history, feed);
            stores.put(key, open);
        }
        return open.branches();
    }

    /** The store's figures and the adapter's transaction counters, by name. */
    Map<String, Long> figures(Store store) {
        return StoreFigures.of(store, counters);
    }

    /**
     * The figure history of the open store at {@code path}: null when it is not
     * open or sampling is off. Its interval is the one the store was opened
     * with, whichever factory opened it.
     */
    synchronized FigureHistory history(Path path) {
        Open open = stores.get(path.toAbsolutePath().normalize());
        return open == null ? null : open.history();
    }

    synchronized void closeAll() {
        closed = true;
        List<Open> open = List.copyOf(stores.values());
        stores.clear();
        for (Open o : open) {
            if (o.admin() != null) {
                o.admin().unregister();
            }
            if (o.history() != null) {
                o.history().cancel();
            }
            if (o.feed() != null) {
                o.feed().cancel();
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
