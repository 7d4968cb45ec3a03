package dev.cairn.ra;

import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.disk.ChannelOpener;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * Faults the integration tests put into a real running server, where nothing
 * else can reach: a place in the XA protocol where a thread stops so the test
 * can kill the server (kill -9) exactly between prepare and commit, and a disk
 * whose fsync fails on cue. Off unless the JVM runs with the system property
 * {@code cairn.failpoint} naming one; never set it in production. A thread
 * that reaches a named stopping point logs that it did and waits for good.
 */
final class FailPoint {

    static final String PROPERTY = "cairn.failpoint";
    /** After Cairn's branch is durably prepared, before the prepare returns to the transaction manager. */
    static final String XA_PREPARED = "xa-prepared";
    /** In a two-phase commit, before Cairn publishes its prepared branch. */
    static final String XA_COMMIT = "xa-commit";
    /**
     * Every fsync of a store fails while a file named like the store plus
     * {@code .fail-fsync} exists beside it (see {@link FsyncSwitchChannel}).
     */
    static final String FSYNC_SWITCH = "fsync-switch";

    private static final Logger LOG = Logger.getLogger(FailPoint.class.getName());
    private static final String ARMED = System.getProperty(PROPERTY);

    private FailPoint() {
    }

    /** {@code config} with the fsync switch installed for the store at {@code store}, if that point is armed. */
    static StoreConfig withFaults(Path store, StoreConfig config) {
        if (!FSYNC_SWITCH.equals(ARMED)) {
            return config;
        }
        Path marker = store.resolveSibling(store.getFileName() + ".fail-fsync");
        LOG.severe("CAIRN-FAILPOINT " + FSYNC_SWITCH + " armed: fsyncs of " + store + " fail while " + marker + " exists");
        return config.channelOpener((path, options) -> new FsyncSwitchChannel(ChannelOpener.PLAIN.open(path, options), marker));
    }

    static void reached(String point) {
        if (!point.equals(ARMED)) {
            return;
        }
        LOG.severe("CAIRN-FAILPOINT " + point + " reached: this thread waits here until the process is killed");
        while (true) {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                // keep waiting: the point is that nothing after it runs
            }
        }
    }
}
