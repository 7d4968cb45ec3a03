package dev.cairn.ra;

import dev.cairn.api.CairnException;
import dev.cairn.engine.StoreConfig;
import dev.cairn.api.CairnChangeListener;
import dev.cairn.engine.Store;
import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.spi.Connector;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterInternalException;
import jakarta.resource.spi.TransactionSupport;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import jakarta.resource.spi.work.WorkManager;
import java.nio.file.Path;
import java.util.Timer;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;
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
 * <p>Inbound: a message-driven bean implementing {@link CairnChangeListener},
 * activated with a {@link CairnActivationSpec}, is given the committed
 * changes of its store (see {@link ChangeDelivery}).
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
    private volatile WorkManager workManager;
    private final ChangeDeliveries deliveries = new ChangeDeliveries();
    private final TransactionCounters counters = new TransactionCounters();

    @Override
    public void start(BootstrapContext ctx) throws ResourceAdapterInternalException {
        try {
            timer = ctx.createTimer();
        } catch (jakarta.resource.spi.UnavailableException e) {
            throw new ResourceAdapterInternalException("the server gave Cairn no timer: " + e.getMessage(), e);
        }
        workManager = ctx.getWorkManager();
        stores = new StoreRegistry(new WorkManagerWorkers(workManager), timer, counters, deliveries);
        LOG.info("Cairn resource adapter started");
    }

    @Override
    public void stop() {
        deliveries.stopAll(); // before the stores close under them, and while their timer tasks can be cancelled
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

    /**
     * Starts delivering the changes {@code spec} names to the endpoint
     * (a message-driven bean implementing {@link CairnChangeListener}): its
     * subscription is created in the store at the newest change when new,
     * and goes on from its position when not.
     */
    @Override
    public void endpointActivation(MessageEndpointFactory factory, ActivationSpec spec) throws ResourceException {
        if (!(spec instanceof CairnActivationSpec s)) {
            throw new NotSupportedException("Cairn delivers changes to CairnChangeListener beans only, with a "
                    + CairnActivationSpec.class.getName() + "; got " + spec);
        }
        s.validate();
        WorkManager wm = workManager;
        if (wm == null) {
            throw new ResourceAdapterInternalException("the Cairn resource adapter has not been started");
        }
        Store store = storeOf(s.getConnectionFactoryLookup());
        String name = s.getSubscriptionName() != null && !s.getSubscriptionName().isBlank() ? s.getSubscriptionName()
                : factory.getActivationName() != null ? factory.getActivationName() : factory.getEndpointClass().getName();
        boolean transacted;
        try {
            transacted = factory.isDeliveryTransacted(ChangeDelivery.onChange());
        } catch (NoSuchMethodException e) {
            throw new NotSupportedException("the endpoint " + factory.getEndpointClass().getName()
                    + " does not implement CairnChangeListener.onChange", e);
        }
        ChangeDelivery d = new ChangeDelivery(store, name, s.getKeyPrefix() == null ? "" : s.getKeyPrefix(), factory, wm,
                timer, s.getRetryIntervalMillis(), transacted);
        try {
            deliveries.start(factory, d);
        } catch (CairnException | IllegalArgumentException | IllegalStateException e) {
            throw new ResourceException("Cairn cannot deliver changes of " + s.getConnectionFactoryLookup()
                    + " to subscription " + name + ": " + e.getMessage(), e);
        }
    }

    /** The store of the Cairn connection factory at JNDI name {@code lookup}, opened if it is not yet. */
    private static Store storeOf(String lookup) throws ResourceException {
        Object found;
        try {
            found = new InitialContext().lookup(lookup);
        } catch (NamingException e) {
            throw new ResourceException("no Cairn connection factory at " + lookup
                    + " (set connectionFactoryLookup to the jndiName of a Cairn connectionFactory): " + e.getMessage(), e);
        }
        if (!(found instanceof CairnConnectionFactoryImpl f)) {
            throw new ResourceException(lookup + " is not a Cairn connection factory but " + found.getClass().getName());
        }
        return f.managedConnectionFactory().openStore().store();
    }

    /** Stops delivering to the endpoint; returns once a delivery under way has ended. The subscription stays. */
    @Override
    public void endpointDeactivation(MessageEndpointFactory factory, ActivationSpec spec) {
        deliveries.stop(factory);
    }

    /**
     * For the transaction manager's recovery of the deliveries a crash
     * interrupted: one {@link Acknowledgement#forRecovery} resource, which
     * has no branch in doubt (an acknowledgement prepares nothing durable),
     * so the manager can close the transactions it logged with one. With
     * none to ask, it would keep them, and retry them, for ever.
     */
    @Override
    public XAResource[] getXAResources(ActivationSpec[] specs) {
        return new XAResource[] {Acknowledgement.forRecovery()};
    }

    ChangeDeliveries deliveries() {
        return deliveries;
    }
}
