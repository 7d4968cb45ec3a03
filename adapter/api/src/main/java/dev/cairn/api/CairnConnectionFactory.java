package dev.cairn.api;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * What an application looks up (JNDI {@code eis/cairn} by default) or injects
 * with {@code @Resource}. Each connection's work joins the caller's JTA
 * transaction when there is one; outside a transaction every call on the
 * connection commits on its own and is durable when it returns.
 */
public interface CairnConnectionFactory extends Serializable {

    /**
     * A connection from the server's pool; close it when done.
     *
     * @throws dev.cairn.api.CairnException when the store cannot be opened or the pool is exhausted
     */
    CairnConnection getConnection();

    /** The store's figures and the adapter's transaction counters, by name. */
    Map<String, Long> statistics();

    /**
     * The store's figures sampled every {@link #historyIntervalSeconds()}
     * seconds by the adapter, oldest first, up to the last 360 samples;
     * empty when sampling is off.
     */
    List<FigureSample> history();

    /** Seconds between the samples of {@link #history()}; 0 when sampling is off. */
    int historyIntervalSeconds();

    /**
     * Why the store takes no writes — the failed write or fsync that made it
     * read-only (a restart recovers it to its last durable commit) — or null
     * while it takes writes.
     */
    String readOnlyReason();

    /**
     * Runs a sync pass now and returns the generation it made durable. Commits
     * need no such call (each is durable when it returns); this is for
     * administrators, and it carries out a requested log compression.
     */
    long sync();

    /** Walks the whole durable store, verifying every block, and says what is wrong, if anything. */
    CheckResult check();

    /** Rewrites every allocation log as its free ranges (shorter recovery), durably; returns the generation. */
    long compressLogs();
}
