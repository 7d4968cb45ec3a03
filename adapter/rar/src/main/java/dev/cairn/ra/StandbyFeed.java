package dev.cairn.ra;

import dev.cairn.engine.Store;
import dev.cairn.engine.backup.SnapshotReceiver;
import dev.cairn.engine.txn.SnapshotTable;
import dev.cairn.engine.work.Workers;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.TimerTask;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps a standby store up to date with its primary over the primary's HTTP
 * API, on the adapter's timer: each round asks the primary for a snapshot
 * ({@code POST /api/snapshots}), receives the changes since the one received
 * last ({@code GET /api/snapshots/{name}/stream?from=last}), then deletes the
 * older snapshot on both sides, so each side keeps one. The first round of
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
    /** Names of the snapshots a feed asks its primary for. */
    static final String PREFIX = "cairn-standby-";
    private static final String STREAM_TYPE = "application/vnd.cairn.snapshot-stream";

    private final Store store;
    private final String primary;
    private final String authorization;
    private final Workers workers;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
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

    /** One round: a snapshot on the primary, its changes received here, the older snapshot gone on both sides. */
    void round() {
        if (store.standby().primary() == null) {
            return;
        }
        String last = null;
        for (SnapshotTable.Info i : store.snapshots()) {
            if (i.name().startsWith(PREFIX)) {
                last = i.name(); // oldest first: the last one is the newest
            }
        }
        long takenAt = System.currentTimeMillis();
        String name = PREFIX + takenAt;
        try {
            expect(send("POST", "/api/snapshots", "application/json",
                    HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}")), 201, "taking snapshot " + name);
        } catch (IOException | RuntimeException e) {
            failed("the primary " + primary + " did not take a snapshot: " + e.getMessage(), e);
            return;
        }
        try {
            String path = "/api/snapshots/" + encode(name) + "/stream" + (last == null ? "" : "?from=" + encode(last));
            HttpResponse<InputStream> r = http.send(request("GET", path).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() != 200) {
                    throw new IOException("GET " + path + " answered " + r.statusCode() + ": "
                            + new String(in.readNBytes(500), StandardCharsets.UTF_8));
                }
                SnapshotReceiver.into(store, in);
            }
            store.standby().received(takenAt);
            if (failing) {
                failing = false;
                LOG.info(() -> "Cairn standby " + store.path() + " receives from " + primary + " again");
            }
        } catch (IOException | RuntimeException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            failed("receiving " + name + (last == null ? "" : " (changes since " + last + ")") + " from " + primary
                    + " failed, nothing was changed: " + e.getMessage(), e);
            deleteOnPrimary(name);
            return;
        }
        if (last != null) {
            deleteOnPrimary(last);
            try {
                store.receiving().deleteSnapshot(last);
            } catch (RuntimeException e) {
                failed("deleting the received snapshot " + last + " failed: " + e.getMessage(), e);
            }
        }
    }

    private void deleteOnPrimary(String name) {
        try {
            HttpResponse<String> r = send("DELETE", "/api/snapshots/" + encode(name), null, HttpRequest.BodyPublishers.noBody());
            if (r.statusCode() != 204 && r.statusCode() != 404) {
                LOG.warning(() -> "the primary " + primary + " did not delete snapshot " + name + ": " + r.statusCode() + " " + r.body());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warning(() -> "the primary " + primary + " did not delete snapshot " + name + ": " + e.getMessage());
        }
    }

    private HttpResponse<String> send(String method, String path, String type, HttpRequest.BodyPublisher body) throws IOException {
        HttpRequest.Builder b = request(method, path).method(method, body);
        if (type != null) {
            b.header("Content-Type", type);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private HttpRequest.Builder request(String method, String path) {
        return HttpRequest.newBuilder(URI.create(primary + path)).timeout(Duration.ofMinutes(10))
                .header("Authorization", authorization).header("Accept", "application/json, " + STREAM_TYPE);
    }

    private static void expect(HttpResponse<String> r, int status, String what) throws IOException {
        if (r.statusCode() != status) {
            throw new IOException(what + " answered " + r.statusCode() + ": " + r.body());
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
