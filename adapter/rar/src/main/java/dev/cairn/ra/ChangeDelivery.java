package dev.cairn.ra;

import dev.cairn.api.CairnChangeListener;
import dev.cairn.api.ChangeEvent;
import dev.cairn.api.ChangeSubscriptionInfo;
import dev.cairn.api.ChangeSubscriptionMXBean;
import dev.cairn.engine.Store;
import dev.cairn.engine.object.ChangeRecords;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkAdapter;
import jakarta.resource.spi.work.WorkEvent;
import jakarta.resource.spi.work.WorkException;
import jakarta.resource.spi.work.WorkListener;
import jakarta.resource.spi.work.WorkManager;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;

/**
 * Delivers a store's durable changes to one activated message-driven bean,
 * in commit order, from its subscription's position in the store's change
 * log ({@link dev.cairn.engine.ChangeLog}).
 *
 * <p>Threads: deliveries run in rounds, each a short Work on the server's
 * WorkManager that delivers what is there (for at most {@link #ROUND_NANOS})
 * and returns; a round is asked for after each sync of the store (the
 * change log's listener, on the committer that ran it: it only schedules),
 * every {@link #SWEEP_MILLIS} by the adapter's timer, and after a failed
 * delivery's retry interval. At most one round runs at a time
 * ({@link #scheduled}); no Work idles holding a thread, so a server stop
 * never waits for one. A round's state ({@link #position},
 * {@link #failedAt}) is touched by that round's thread only.
 *
 * <p>Acknowledgement: with a transacted bean method, each event's
 * delivery transaction carries an {@link Acknowledgement}, whose commit
 * writes the new position durably; otherwise the round acknowledges each
 * batch it delivered once the bean has returned. Either way a crash
 * between the bean's work and the acknowledgement delivers the event again
 * after the restart: at least once.
 */
final class ChangeDelivery implements Work, ChangeSubscriptionMXBean {

    private static final Logger LOG = Logger.getLogger(ChangeDelivery.class.getName());
    private static final Method ON_CHANGE;
    private static final int BATCH = 64;
    private static final long ROUND_NANOS = 2_000_000_000L;
    private static final long SWEEP_MILLIS = 5_000;

    static {
        try {
            ON_CHANGE = CairnChangeListener.class.getMethod("onChange", ChangeEvent.class);
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The listener's method, as the server is asked whether its delivery is transacted. */
    static Method onChange() {
        return ON_CHANGE;
    }

    final Store store;
    final String subscription;
    private final String keyPrefix;
    private final byte[] prefix;
    private final MessageEndpointFactory factory;
    private final WorkManager workManager;
    private final Timer timer;
    private final long retryMillis;
    private final boolean transacted;
    private final Runnable onSync = this::kick;
    /** A round the WorkManager accepted and then rejected never runs: let the next kick schedule one. */
    private final WorkListener rejected = new WorkAdapter() {
        @Override
        public void workRejected(WorkEvent e) {
            scheduled.set(false);
        }
    };
    private volatile TimerTask retryTask;
    private final TimerTask sweep = new TimerTask() {
        @Override
        public void run() {
            kick();
        }
    };

    /** A round is scheduled or running. */
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Something may have arrived since the running round last looked. */
    private volatile boolean pending;
    /** Waiting out a failed delivery's retry interval: sweeps and syncs do not start a round. */
    private volatile boolean retrying;
    private volatile boolean released;
    /** Guards {@link #running}; a deactivation waits on it for the round under way. */
    private final Object roundLock = new Object();
    private boolean running;

    private long position;
    /** {@link #position} as the console reads it. */
    private volatile long acknowledged;
    private ObjectName mbean;
    /** The number of the event whose last delivery failed (its next one is a redelivery), or 0. */
    private long failedAt;

    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong redelivered = new AtomicLong();
    private volatile String lastFailure;

    ChangeDelivery(Store store, String subscription, String keyPrefix, MessageEndpointFactory factory,
                   WorkManager workManager, Timer timer, long retryMillis, boolean transacted) {
        this.store = store;
        this.subscription = subscription;
        this.keyPrefix = keyPrefix;
        this.prefix = keyPrefix.getBytes(StandardCharsets.UTF_8);
        this.factory = factory;
        this.workManager = workManager;
        this.timer = timer;
        this.retryMillis = retryMillis;
        this.transacted = transacted;
    }

    /**
     * Creates the subscription if it is new (at the newest change), registers
     * its MBean and starts delivering; undoes what it did when a step fails.
     */
    void start() {
        try {
            position = store.changes().subscribe(subscription);
            acknowledged = position;
            registerMBean();
            store.changes().addListener(onSync);
            timer.schedule(sweep, SWEEP_MILLIS, SWEEP_MILLIS);
        } catch (RuntimeException e) {
            stop(0);
            throw e;
        }
        LOG.info(() -> "Cairn delivers changes of " + store.path() + (keyPrefix.isEmpty() ? "" : " under \"" + keyPrefix + "\"")
                + " to " + factory.getEndpointClass().getName() + " as subscription " + subscription
                + " from position " + position + (transacted ? ", acknowledged by each delivery's transaction" : ""));
        kick();
    }

    /**
     * Stops delivering: no round starts after this, and it returns once the
     * round under way (a bean's method may be running) has ended, or after
     * {@code waitMillis}. The subscription and its position stay in the
     * store: the next activation goes on from there.
     */
    void stop(long waitMillis) {
        released = true;
        unregisterMBean();
        store.changes().removeListener(onSync);
        sweep.cancel();
        TimerTask retry = retryTask;
        if (retry != null) {
            retry.cancel();
        }
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        synchronized (roundLock) {
            long left;
            while (running && (left = deadline - System.nanoTime()) > 0) {
                try {
                    roundLock.wait(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Asks for a round; cheap, never blocks: called on committers after their sync. */
    void kick() {
        pending = true;
        if (released || retrying || !scheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            workManager.scheduleWork(this, WorkManager.INDEFINITE, null, rejected);
        } catch (WorkException | RuntimeException e) {
            scheduled.set(false);
            LOG.log(Level.FINE, "the server refused a Cairn delivery round; the next sync or sweep asks again", e);
        }
    }

    @Override
    public void run() {
        synchronized (roundLock) {
            if (released) {
                scheduled.set(false);
                return;
            }
            running = true;
        }
        try {
            round();
        } catch (RuntimeException e) {
            // The store closed or failed; the next sweep finds out whether it is back.
            LOG.log(store.isClosed() ? Level.FINE : Level.WARNING, "Cairn change delivery to subscription " + subscription
                    + " stopped for now: " + e.getMessage(), e);
        } finally {
            synchronized (roundLock) {
                running = false;
                roundLock.notifyAll();
            }
            scheduled.set(false);
            if (pending && !retrying && !released) {
                kick();
            }
        }
    }

    private void round() {
        pending = false;
        long deadline = System.nanoTime() + ROUND_NANOS;
        while (!released && !store.isClosed()) {
            if (System.nanoTime() > deadline) {
                pending = true; // give the thread back; the finally asks for the next round
                return;
            }
            List<ChangeRecords.Change> batch = store.changes().read(position, BATCH);
            if (batch.isEmpty()) {
                return;
            }
            long handled = position;
            for (ChangeRecords.Change c : batch) {
                if (released) {
                    break;
                }
                if (matches(c.key()) && !deliver(c)) {
                    acknowledge(handled);
                    retryLater();
                    return;
                }
                handled = c.number();
            }
            acknowledge(handled);
        }
    }

    private boolean matches(byte[] key) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** Records durably that everything up to {@code handled} is delivered (a no-op when it was already). */
    private void acknowledge(long handled) {
        if (handled > position) {
            store.changes().acknowledge(subscription, handled);
            position = handled;
        }
        acknowledged = position;
    }

    private void retryLater() {
        TimerTask retry = new TimerTask() {
            @Override
            public void run() {
                retrying = false;
                kick();
            }
        };
        retrying = true; // before the task can run and clear it
        try {
            timer.schedule(retry, retryMillis);
            retryTask = retry;
        } catch (RuntimeException e) {
            retrying = false; // the timer is gone (the adapter stops): the next kick may still try
        }
    }

    /** Whether it delivers, or a round it began still runs (a stop that timed out). */
    boolean busy() {
        synchronized (roundLock) {
            return !released || running;
        }
    }

    /** One delivery of change {@code c}; true once the bean handled it and (when transacted) its transaction acknowledged it. */
    private boolean deliver(ChangeRecords.Change c) {
        boolean again = c.number() == failedAt;
        ChangeEvent event = new ChangeEvent(c.number(), c.key(),
                c.kind() == ChangeRecords.DELETE ? ChangeEvent.Kind.DELETE : ChangeEvent.Kind.PUT, c.size(), c.generation(),
                Instant.ofEpochMilli(c.timeMillis()), again);
        Acknowledgement ack = transacted ? new Acknowledgement(store, subscription, c.number()) : null;
        Throwable failure = null;
        MessageEndpoint endpoint = null;
        try {
            endpoint = factory.createEndpoint(ack);
            if (transacted) {
                endpoint.beforeDelivery(ON_CHANGE);
            }
            try {
                ((CairnChangeListener) endpoint).onChange(event);
            } catch (Throwable t) {
                failure = t;
            }
            if (transacted) {
                endpoint.afterDelivery(); // commits the delivery's transaction, or rolls it back after a failure
            }
        } catch (Exception e) {
            if (failure == null) {
                failure = e;
            }
        } finally {
            if (endpoint != null) {
                endpoint.release();
            }
        }
        if (failure == null && ack != null) {
            if (ack.committed()) {
                position = c.number();
                acknowledged = position;
            } else if (ack.enlisted()) {
                failure = new IllegalStateException("the delivery's transaction did not commit its acknowledgement");
            }
            // Not enlisted: the server ran the method without our resource; the round acknowledges it.
        }
        if (failure != null) {
            failed.incrementAndGet();
            String why = failure.getClass().getName() + ": " + failure.getMessage();
            lastFailure = "change " + c.number() + " (" + event + "): " + why;
            if (!again) {
                LOG.warning(() -> "Cairn subscription " + subscription + ": delivering change " + c.number() + " of "
                        + event.keyString() + " failed (" + why + "); it is delivered again every " + retryMillis + " ms");
            }
            failedAt = c.number();
            return false;
        }
        delivered.incrementAndGet();
        if (again) {
            redelivered.incrementAndGet();
        }
        failedAt = 0;
        return true;
    }

    /** Nothing to interrupt: a round ends by itself within {@link #ROUND_NANOS} plus one bean call. */
    @Override
    public void release() {
    }

    private void registerMBean() {
        try {
            mbean = new ObjectName(OBJECT_NAME_PREFIX + ",store=" + ObjectName.quote(store.path().toString())
                    + ",name=" + ObjectName.quote(subscription));
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            if (server.isRegistered(mbean)) {
                server.unregisterMBean(mbean); // left by an activation that was not stopped cleanly
            }
            server.registerMBean(new StandardMBean(this, ChangeSubscriptionMXBean.class, true), mbean);
        } catch (JMException e) {
            mbean = null;
            LOG.log(Level.WARNING, "no MBean for Cairn subscription " + subscription + ": " + e.getMessage(), e);
        }
    }

    private void unregisterMBean() {
        if (mbean != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbean);
            } catch (JMException e) {
                LOG.log(Level.FINE, "unregistering " + mbean, e);
            }
        }
    }

    @Override
    public String getName() {
        return subscription;
    }

    @Override
    public String getStore() {
        return store.path().toString();
    }

    @Override
    public String getKeyPrefix() {
        return keyPrefix;
    }

    @Override
    public long getPosition() {
        return acknowledged;
    }

    @Override
    public long getLag() {
        return Math.max(0, store.changes().newest() - acknowledged);
    }

    @Override
    public long getDelivered() {
        return delivered.get();
    }

    @Override
    public long getFailed() {
        return failed.get();
    }

    @Override
    public long getRedelivered() {
        return redelivered.get();
    }

    @Override
    public String getLastFailure() {
        return lastFailure;
    }

    ChangeSubscriptionInfo info(long storePosition, long newest) {
        return new ChangeSubscriptionInfo(subscription, keyPrefix, !released, storePosition, newest - storePosition,
                delivered.get(), failed.get(), redelivered.get(), lastFailure);
    }
}
