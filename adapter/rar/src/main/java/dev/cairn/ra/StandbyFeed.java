package dev.cairn.ra;

import dev.cairn.engine.Store;
import dev.cairn.engine.backup.SnapshotReceiver;
import dev.cairn.engine.txn.SnapshotTable;
import dev.cairn.engine.work.Workers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.TimerTask;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps a standby store up to date with its primary over the primary's HTTP
 * API, on the adapter's timer: each round asks the primary for a snapshot
 * ({@code POST /api/snapshots}), receives the changes since the one received
 * last ({@code GET /api/snapshots/{name}/stream?from=last}), then deletes the
 * standby's older snapshots on both sides, so each side keeps one (and what
 * a failed round or a crash left goes too). The first round of
 * an empty standby receives the whole snapshot. A failed round changes
 * nothing on the standby (a receive is all or nothing), removes the
 * snapshot it asked for, is counted and logged, and the next round tries
 * again from the same base.
 *
 * <p>Threads: the timer only hands a round to the adapter's WorkManager, so a
 * long receive never holds up the figure samples on the same timer; a round
 * still running when the next is due makes that one skip.
 */
final class StandbyFeed extends TimerTask {

    private static final Logger LOG = Logger.getLogger(StandbyFeed.class.getName());
    /** Names of the snapshots a feed asks its primary for begin so. */
    static final String PREFIX = "cairn-standby-";
    /** A read that waits this long for the primary's next bytes fails the round. */
    private static final int READ_TIMEOUT_MILLIS = 120_000;
    private static final String STREAM_TYPE = "application/vnd.cairn.snapshot-stream";

    private final Store store;
    private final String primary;
    private final String authorization;
    private final Workers workers;
    /** This standby's snapshots, on both sides: {@link #PREFIX} and a mark of the standby's store, so standbys of one primary keep apart. */
    private final String prefix;
    private final AtomicBoolean running = new AtomicBoolean();
    /** Whether the last round failed: only the first failure after a success is a warning. */
    private volatile boolean failing;

    /**
     * @param primary the primary's Cairn context root, e.g. {@code http://primary:9080/cairn}
     */
    StandbyFeed(Store store, String primary, String user, String password, Workers workers) {
        this.store = store;
        this.primary = primary.replaceAll("/+$", "");
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + Objects.requireNonNullElse(password, "")).getBytes(StandardCharsets.UTF_8));
        this.workers = workers;
        this.prefix = PREFIX + Integer.toHexString(store.path().toAbsolutePath().toString().hashCode()) + "-";
    }

    @Override
    public void run() {
        if (store.standby().primary() == null) {
            cancel(); // promoted
            return;
        }
        if (running.compareAndSet(false, true)) {
            try {
                workers.run("cairn standby feed from " + primary, () -> {
                    try {
                        round();
                    } finally {
                        running.set(false);
                    }
                });
            } catch (RuntimeException e) {
                running.set(false);
                failed("the WorkManager refused the feed's round: " + e.getMessage(), e);
            }
        }
    }

    /** One round: a snapshot on the primary, its changes received here, the older snapshots gone on both sides. */
    void round() {
        if (store.standby().primary() == null) {
            return;
        }
        String last = null;
        for (SnapshotTable.Info i : store.snapshots()) {
            if (i.name().startsWith(prefix)) {
                last = i.name(); // oldest first: the last one is the newest
            }
        }
        long takenAt = System.currentTimeMillis();
        String name = prefix + takenAt;
        try {
            call("POST", "/api/snapshots", "{\"name\":\"" + name + "\"}", 201);
        } catch (IOException | RuntimeException e) {
            failed("the primary " + primary + " did not take a snapshot: " + e.getMessage(), e);
            return;
        }
        String path = "/api/snapshots/" + encode(name) + "/stream" + (last == null ? "" : "?from=" + encode(last));
        HttpURLConnection c = null;
        try {
            c = open("GET", path);
            if (c.getResponseCode() != 200) {
                throw new IOException("GET " + path + " answered " + c.getResponseCode() + ": " + error(c));
            }
            try (InputStream in = c.getInputStream()) {
                SnapshotReceiver.into(store, in);
            }
            store.standby().received(takenAt);
            if (failing) {
                failing = false;
                LOG.info(() -> "Cairn standby " + store.path() + " receives from " + primary + " again");
            }
        } catch (IOException | RuntimeException e) {
            failed("receiving " + name + (last == null ? "" : " (changes since " + last + ")") + " from " + primary
                    + " failed, nothing was changed: " + e.getMessage(), e);
            deleteOnPrimary(name);
            return;
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
        clearOlder(name);
    }

    /**
     * Deletes this standby's snapshots other than {@code keep} on both sides:
     * the base just replaced, and any a round that failed or a crash left
     * behind (each holds blocks on its side until it goes).
     */
    private void clearOlder(String keep) {
        for (SnapshotTable.Info i : store.snapshots()) {
            if (i.name().startsWith(prefix) && !i.name().equals(keep)) {
                try {
                    store.receiving().deleteSnapshot(i.name());
                } catch (RuntimeException e) {
                    failed("deleting the received snapshot " + i.name() + " failed: " + e.getMessage(), e);
                }
            }
        }
        try {
            String list = call("GET", "/api/snapshots", null, 200);
            Matcher m = Pattern.compile("\"name\":\"(" + Pattern.quote(prefix) + "\\d+)\"").matcher(list);
            while (m.find()) {
                if (!m.group(1).equals(keep)) {
                    deleteOnPrimary(m.group(1));
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.fine(() -> "listing the primary's snapshots failed: " + e.getMessage());
        }
    }

    private void deleteOnPrimary(String name) {
        try {
            HttpURLConnection c = open("DELETE", "/api/snapshots/" + encode(name));
            int status = c.getResponseCode();
            if (status != 204 && status != 404) {
                LOG.warning(() -> "the primary " + primary + " did not delete snapshot " + name + ": " + status);
            }
            c.disconnect();
        } catch (IOException | RuntimeException e) {
            LOG.warning(() -> "the primary " + primary + " did not delete snapshot " + name + ": " + e.getMessage());
        }
    }

    /** A request with a JSON body (or none); returns the answer's body, which must come with {@code status}. */
    private String call(String method, String path, String json, int status) throws IOException {
        HttpURLConnection c = open(method, path);
        try {
            if (json != null) {
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/json");
                try (OutputStream out = c.getOutputStream()) {
                    out.write(json.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (c.getResponseCode() != status) {
                throw new IOException(method + " " + path + " answered " + c.getResponseCode() + ": " + error(c));
            }
            try (InputStream in = c.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } finally {
            c.disconnect();
        }
    }

    /**
     * A connection with connect and read timeouts: a primary that stops
     * answering fails the round instead of holding its WorkManager thread.
     * HttpURLConnection starts no thread of its own, as the adapter must not.
     */
    private HttpURLConnection open(String method, String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(primary + path).toURL().openConnection();
        c.setRequestMethod(method);
        c.setConnectTimeout(10_000);
        c.setReadTimeout(READ_TIMEOUT_MILLIS);
        c.setRequestProperty("Authorization", authorization);
        c.setRequestProperty("Accept", "application/json, " + STREAM_TYPE);
        return c;
    }

    private static String error(HttpURLConnection c) {
        try (InputStream in = c.getErrorStream()) {
            return in == null ? "" : new String(in.readNBytes(500), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Counted every time; a warning only when it follows a success, so a primary that is down does not flood the log. */
    private void failed(String why, Exception e) {
        store.standby().failed(why);
        String line = "Cairn standby " + store.path() + ": " + why;
        if (failing) {
            LOG.fine(line);
        } else {
            failing = true;
            LOG.warning(line + (e instanceof IOException ? "" : " (" + e.getClass().getSimpleName() + ")")
                    + "; until a round succeeds, further failures are logged at FINE");
        }
    }
}
