package dev.cairn.ra;

import dev.cairn.api.CairnStoreMXBean;
import dev.cairn.api.Figures;
import dev.cairn.engine.BlockStoreStats;
import dev.cairn.engine.Store;
import dev.cairn.engine.backup.SnapshotReceiver;
import dev.cairn.engine.backup.SnapshotSender;
import dev.cairn.engine.check.CheckReport;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.JMException;
import javax.management.MBeanNotificationInfo;
import javax.management.MBeanServer;
import javax.management.Notification;
import javax.management.NotificationBroadcasterSupport;
import javax.management.NotificationFilter;
import javax.management.NotificationListener;
import javax.management.ObjectName;

/**
 * The MBean of one open store; the adapter registers it when the store opens
 * and unregisters it when it closes.
 *
 * <p>A mount that passed over the newest sync is a standing condition, not
 * an event a console could have been listening for (the store opens with the
 * server, before anyone subscribes): the notification goes out at
 * registration and again to each listener as it subscribes.
 */
final class CairnStoreAdmin extends NotificationBroadcasterSupport implements CairnStoreMXBean {

    private static final Logger LOG = Logger.getLogger(CairnStoreAdmin.class.getName());

    private final Store store;
    private final ChangeDeliveries deliveries;
    private final ObjectName name;

    private final AtomicLong sequence = new AtomicLong();

    CairnStoreAdmin(Store store, ChangeDeliveries deliveries) throws JMException {
        super(new MBeanNotificationInfo(new String[] {ROLLED_BACK_NOTIFICATION}, Notification.class.getName(),
                "the mount passed over the newest sync: its commits may have been acknowledged"));
        this.store = store;
        this.deliveries = deliveries;
        this.name = objectName(store);
    }

    /** The rolled-back notification, or null when the mount took the newest sync. */
    Notification rolledBackNotification() {
        BlockStoreStats b = store.blockStats();
        if (b.rolledBackGeneration() < 0) {
            return null;
        }
        Notification n = new Notification(ROLLED_BACK_NOTIFICATION, name, sequence.incrementAndGet(),
                "store " + store.path() + " opened at generation " + b.durableGen() + ", passing over generation "
                        + b.rolledBackGeneration() + (b.rolledBackAddress() < 0 ? ""
                        : String.format(" (block 0x%x did not read back as written)", b.rolledBackAddress()))
                        + ": commits of that sync may have been acknowledged and are not in the store");
        Map<String, Long> figures = StoreFigures.rolledBack(b);
        figures.put(Figures.GENERATION, b.durableGen());
        n.setUserData(figures);
        return n;
    }

    @Override
    public void addNotificationListener(NotificationListener listener, NotificationFilter filter, Object handback) {
        super.addNotificationListener(listener, filter, handback);
        Notification n = rolledBackNotification();
        if (n != null && (filter == null || filter.isNotificationEnabled(n))) {
            listener.handleNotification(n, handback);
        }
    }

    static ObjectName objectName(Store store) throws JMException {
        return new ObjectName(OBJECT_NAME_PREFIX + ",name=" + ObjectName.quote(store.path().toString()));
    }

    /** Registers the MBean of {@code store}; returns null (and logs why) when the server refuses it. */
    static CairnStoreAdmin register(Store store, ChangeDeliveries deliveries) {
        try {
            CairnStoreAdmin admin = new CairnStoreAdmin(store, deliveries);
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            if (server.isRegistered(admin.name)) {
                server.unregisterMBean(admin.name); // left by an adapter that was not stopped cleanly
            }
            server.registerMBean(admin, admin.name);
            Notification n = admin.rolledBackNotification();
            if (n != null) {
                admin.sendNotification(n);
            }
            return admin;
        } catch (JMException e) {
            LOG.log(Level.WARNING, "Cairn store " + store.path() + " has no MBean: " + e, e);
            return null;
        }
    }

    void unregister() {
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
        } catch (JMException e) {
            LOG.log(Level.FINE, "unregistering " + name, e);
        }
    }

    @Override
    public String getPath() {
        return store.path().toString();
    }

    @Override
    public boolean isReadOnly() {
        return store.isReadOnly();
    }

    @Override
    public String getReadOnlyReason() {
        return store.readOnlyReason();
    }

    @Override
    public long getGeneration() {
        return store.generation();
    }

    @Override
    public long getKeys() {
        return store.stats().keys();
    }

    @Override
    public long getCommits() {
        return store.stats().commits();
    }

    @Override
    public long getConflicts() {
        return store.stats().conflicts();
    }

    @Override
    public long getSyncs() {
        return store.blockStats().syncs();
    }

    @Override
    public long getMeanSyncMicros() {
        BlockStoreStats b = store.blockStats();
        return b.syncs() == 0 ? 0 : b.syncNanos() / b.syncs() / 1000;
    }

    @Override
    public long getLastSyncMicros() {
        return store.blockStats().lastSyncNanos() / 1000;
    }

    @Override
    public long getCacheHits() {
        return store.blockStats().cache().hits();
    }

    @Override
    public long getCacheMisses() {
        return store.blockStats().cache().misses();
    }

    @Override
    public double getCacheHitRatio() {
        BlockStoreStats b = store.blockStats();
        long all = b.cache().hits() + b.cache().misses();
        return all == 0 ? 0 : (double) b.cache().hits() / all;
    }

    @Override
    public int getCacheDirtyBlocks() {
        return store.blockStats().cache().dirty();
    }

    @Override
    public long getCacheStalls() {
        return store.blockStats().cache().stalls();
    }

    @Override
    public long getCacheEvictions() {
        return store.blockStats().cache().evictions();
    }

    @Override
    public long getUsedBytes() {
        return store.stats().usedBytes();
    }

    @Override
    public long getFreeBytes() {
        return store.stats().freeBytes();
    }

    @Override
    public long[] getArenaUsedBytes() {
        return store.blockStats().arenaUsed();
    }

    @Override
    public long[] getArenaFreeBytes() {
        return store.blockStats().arenaFree();
    }

    @Override
    public int[] getLogBlocks() {
        return store.blockStats().arenaLogBlocks();
    }

    @Override
    public long getLogCompressions() {
        return store.blockStats().logCompressions();
    }

    @Override
    public long getPreparedTransactions() {
        return store.stats().prepared();
    }

    @Override
    public int getOpenReaders() {
        return store.blockStats().pins();
    }

    @Override
    public long getOldestReaderSeconds() {
        return store.blockStats().oldestPinNanos() / 1_000_000_000L;
    }

    @Override
    public long getBlocksAwaitingReaders() {
        return store.blockStats().retiredWaiting();
    }

    @Override
    public String[] getSnapshotNames() {
        return store.snapshots().stream().map(i -> i.name()).toArray(String[]::new);
    }

    @Override
    public boolean isRolledBack() {
        return store.blockStats().rolledBackGeneration() >= 0;
    }

    @Override
    public long getRolledBackGeneration() {
        return store.blockStats().rolledBackGeneration();
    }

    @Override
    public long getRolledBackAddress() {
        return store.blockStats().rolledBackAddress();
    }

    @Override
    public long sync() {
        return store.sync();
    }

    @Override
    public String check() {
        CheckReport r = store.check();
        return (r.ok() ? "ok" : "PROBLEMS") + ": " + r;
    }

    @Override
    public long compressLogs() {
        return store.compressLogs();
    }

    @Override
    public void createSnapshot(String name) {
        store.createSnapshot(name);
    }

    @Override
    public void deleteSnapshot(String name) {
        store.deleteSnapshot(name);
    }

    // Failures reach a JMX client as JDK exceptions with Cairn's message: the
    // client (a console, REST JMX) need not have Cairn's classes.

    @Override
    public String sendSnapshotToFile(String name, String from, String path) {
        String base = from == null || from.isEmpty() ? null : from;
        Path file = absolute(path);
        try {
            SnapshotSender.Sent sent = SnapshotSender.toFile(store, name, base, file);
            return "sent snapshot " + name + (base == null ? "" : " (changes since " + base + ")") + " to " + file + ": "
                    + sent.puts() + " puts, " + sent.deletes() + " deletes, " + sent.bytes() + " bytes";
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("sending snapshot " + name + " to " + file + " failed: " + describe(e));
        }
    }

    @Override
    public String receiveSnapshotFromFile(String path) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(absolute(path)), 1 << 16)) {
            store.standby().checkWrite(); // a standby takes streams from its primary only
            SnapshotReceiver.Received r = SnapshotReceiver.into(store, in);
            return "received snapshot " + r.snapshot() + (r.base() == null ? "" : " (changes since " + r.base() + ")")
                    + ": " + r.puts() + " puts, " + r.deletes() + " deletes";
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("receiving " + path + " failed, nothing was changed: " + describe(e));
        }
    }

    @Override
    public String getStandbyOf() {
        return store.standby().primary();
    }

    @Override
    public long getStandbyLagSeconds() {
        return store.standby().primary() == null ? -1 : store.standby().lagSeconds(System.currentTimeMillis());
    }

    @Override
    public String getStandbyLastFailure() {
        return store.standby().lastFailure();
    }

    @Override
    public String promote() {
        String was = store.standby().primary();
        if (was == null) {
            throw new IllegalStateException("store " + store.path() + " is not a standby");
        }
        // Durably first: a restart with standbyOf still configured must not make it
        // follow the old primary again (two primaries, or a store that refuses every round).
        Path marker = promotedMarker(store.path());
        try (FileChannel ch = FileChannel.open(marker, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(("promoted from standby of " + was + "\n").getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        } catch (IOException e) {
            throw new IllegalStateException("not promoted: cannot write " + marker + ": " + e.getMessage());
        }
        store.standby().promote(); // under the commit lock: no receive commits after this returns
        LOG.warning(() -> "Cairn store " + store.path() + " was promoted: it no longer follows " + was
                + " and takes writes; remove standbyOf from its configuration (" + marker + " keeps it a primary)");
        return "promoted: no longer a standby of " + was + "; remove standbyOf from the configuration";
    }

    /** A file named by an administrator: absolute, so it never lands relative to the server's working directory. */
    private static Path absolute(String path) {
        Path p = Path.of(path);
        if (!p.isAbsolute()) {
            throw new IllegalArgumentException("give an absolute path on the server, not " + path);
        }
        return p;
    }

    /** The file whose presence says a store was promoted: it is then never a standby again, whatever the configuration says. */
    static Path promotedMarker(Path store) {
        return store.resolveSibling(store.getFileName() + ".promoted");
    }

    private static String describe(Exception e) {
        return e instanceof FileAlreadyExistsException ? "the file exists" : e instanceof NoSuchFileException
                ? "no such file" : e.getMessage();
    }

    @Override
    public String[] getChangeSubscriptions() {
        return deliveries.of(store).stream().map(i -> i.name() + ": " + (i.active() ? "active" : "no activation")
                + (i.keyPrefix().isEmpty() ? "" : ", keys \"" + i.keyPrefix() + "\"") + ", position " + i.position()
                + ", lag " + i.lag() + ", delivered " + i.delivered() + ", failed " + i.failed()
                + ", redelivered " + i.redelivered() + (i.lastFailure() == null ? "" : ", last failure " + i.lastFailure()))
                .toArray(String[]::new);
    }

    @Override
    public boolean dropChangeSubscription(String name) {
        if (deliveries.active(store, name)) {
            throw new IllegalStateException("subscription " + name + " is delivered to a running message-driven bean: "
                    + "stop its application first (its next activation then starts at the newest change)");
        }
        return store.changes().unsubscribe(name);
    }
}
