package dev.cairn.ra;

import dev.cairn.api.CairnException;
import dev.cairn.engine.StoreConfig;
import jakarta.resource.NotSupportedException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.spi.Connector;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.TransactionSupport;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import java.nio.file.Path;
import java.util.Timer;
import java.util.logging.Logger;
import javax.transaction.xa.XAResource;

/**
 * The Cairn resource adapter: owns the open store files and every engine
 * thread. Engine tasks run as Work on the server's WorkManager (see
 * {@link WorkManagerWorkers}) and the sampling of figures for history on a
 * BootstrapContext timer (see {@link FigureHistory}); the adapter never
 * starts a thread itself.
 * A store opens the first time one of its connection factories is used (the
 * application's startup admin bean does that at deployment, and the server's
 * transaction recovery does it after a crash) and is closed when the server
 * stops the adapter; every acknowledged commit is already durable by then.
 * Each open store has an MBean (see {@link CairnStoreAdmin}).
 *
 * <p>The adapter has no configuration properties of its own, so object
 * identity is the right {@code equals}.
 */
@Connector(
        displayName = "Cairn",
        description = "Crash-safe, copy-on-write, checksummed object store",
        vendorName = "Cairn",
        eisType = "Cairn object store",
        version = "0.1",
        transactionSupport = TransactionSupport.TransactionSupportLevel.XATransaction,
        reauthenticationSupport = false)
public class CairnResourceAdapter implements ResourceAdapter {

    private static final Logger LOG = Logger.getLogger(CairnResourceAdapter.class.getName());

    private volatile StoreRegistry stores;
    private volatile Timer timer;
    private final TransactionCounters counters = new TransactionCounters();

    @Override
    public void start(BootstrapContext ctx) throws jakarta.resource.spi.ResourceAdapterInternalException {
        try {
            timer = ctx.createTimer();
        } catch (jakarta.resource.spi.UnavailableException e) {
            throw new jakarta.resource.spi.ResourceAdapterInternalException("the server gave Cairn no timer: " + e.getMessage(), e);
        }
        stores = new StoreRegistry(new WorkManagerWorkers(ctx.getWorkManager()), timer, counters);
        LOG.info("Cairn resource adapter started");
    }

    @Override
    public void stop() {
        Timer t = timer;
        if (t != null) {
            t.cancel(); // no sample runs against a store being closed
        }
        StoreRegistry s = stores;
        if (s != null) {
            s.closeAll();
        }
        LOG.info("Cairn resource adapter stopped");
    }

    /**
     * The open store at {@code path} with its XA branches, opening (and
     * recovering) or creating it with {@code config} on first use; a
     * standby of {@code primary} when that is not null.
     */
    XaBranches store(Path path, StoreConfig config, int sampleSeconds, StoreRegistry.Primary primary) {
        return registry().acquire(path, config, sampleSeconds, primary);
    }

    StoreRegistry registry() {
        StoreRegistry s = stores;
        if (s == null) {
            throw new CairnException("the Cairn resource adapter has not been started");
        }
        return s;
    }

    TransactionCounters counters() {
        return counters;
    }

    @Override
    public void endpointActivation(MessageEndpointFactory factory, ActivationSpec spec) throws NotSupportedException {
        throw new NotSupportedException("Cairn has no inbound messaging");
    }

    @Override
    public void endpointDeactivation(MessageEndpointFactory factory, ActivationSpec spec) {
    }

    @Override
    public XAResource[] getXAResources(ActivationSpec[] specs) {
        return new XAResource[0];
    }
}
