package dev.cairn.ra;

import java.util.logging.Logger;

/**
 * A place in the XA protocol where the crash tests stop a server and kill it
 * (kill -9) — the only way to put a real transaction manager's crash exactly
 * between prepare and commit. Off unless the JVM runs with the system
 * property {@code cairn.failpoint} naming a point; never set it in production.
 * A thread that reaches the named point logs that it did and waits for good.
 */
final class FailPoint {

    static final String PROPERTY = "cairn.failpoint";
    /** After Cairn's branch is durably prepared, before the prepare returns to the transaction manager. */
    static final String XA_PREPARED = "xa-prepared";
    /** In a two-phase commit, before Cairn publishes its prepared branch. */
    static final String XA_COMMIT = "xa-commit";

    private static final Logger LOG = Logger.getLogger(FailPoint.class.getName());
    private static final String ARMED = System.getProperty(PROPERTY);

    private FailPoint() {
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
