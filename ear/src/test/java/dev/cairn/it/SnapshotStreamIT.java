package dev.cairn.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.engine.Store;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.Txn;
import dev.cairn.engine.backup.SnapshotReceiver;
import dev.cairn.engine.backup.SnapshotSender;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot streams through the HTTP API of a real server: a snapshot sent
 * by the server is received into a store of this test's own, which changes
 * and sends its changes back; the server receives them, and refuses a
 * stream that is damaged, sent twice, or of the wrong media type, changing
 * nothing.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SnapshotStreamIT {

    private static final String STREAM_TYPE = "application/vnd.cairn.snapshot-stream";
    private static final String PASSWORD = System.getenv("CAIRN_ADMIN_PASSWORD");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** Keys of this run: the server's store outlives a run when the build is not clean. */
    private static final String RUN = Long.toString(System.nanoTime(), 36);
    private static final StoreConfig CFG = StoreConfig.defaults().sizeBytes(256L << 20).cacheBytes(8L << 20);

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return Deployments.shippedEar();
    }

    @ArquillianResource
    URL base;

    @TempDir
    Path dir;

    /** A key of this run. */
    private static byte[] k(String name) {
        return ("it/stream/" + RUN + "/" + name).getBytes(UTF_8);
    }

    private String app(String path) {
        return base.toString().replaceAll("/$", "") + path;
    }

    private static HttpResponse<byte[]> send(String method, String url, String type, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(UTF_8)));
        if (type != null) {
            b.header("Content-Type", type);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), UTF_8);
    }

    @Test
    void aSnapshotGoesToAnotherStoreAndItsChangesComeBack() throws Exception {
        byte[] big = new byte[300_000];
        new Random(5).nextBytes(big);
        assertEquals(201, send("PUT", app("/api/objects/it/stream/" + RUN + "/a"), null, "alpha".getBytes(UTF_8)).statusCode());
        assertEquals(201, send("PUT", app("/api/objects/it/stream/" + RUN + "/big"), "image/png", big).statusCode());
        HttpResponse<byte[]> taken = send("POST", app("/api/snapshots"), "application/json", "{\"name\":\"it-stream-1\"}".getBytes(UTF_8));
        assertEquals(201, taken.statusCode(), text(taken));
        try {
            HttpResponse<byte[]> full = send("GET", app("/api/snapshots/it-stream-1/stream"), null, null);
            assertEquals(200, full.statusCode(), text(full));
            assertEquals(STREAM_TYPE, full.headers().firstValue("Content-Type").orElse("").split(";")[0]);

            // The server's snapshot becomes a store of this test's own ...
            Path standby = dir.resolve("standby.cairn");
            SnapshotReceiver.intoNewStore(new ByteArrayInputStream(full.body()), standby, CFG);
            byte[] changes;
            try (Store s = Store.open(standby, CFG)) {
                try (Txn t = s.begin()) {
                    assertArrayEquals("alpha".getBytes(UTF_8), t.get(k("a")));
                    assertArrayEquals(big, t.get(k("big")));
                    assertEquals("image/png", t.infos(k("big"), k("bih"))
                            .iterator().next().getValue().contentType());
                    // ... which changes one key, deletes another, and sends the change back.
                    t.put(k("from-elsewhere"), "written elsewhere".getBytes(UTF_8));
                    t.delete(k("a"));
                    t.commit();
                }
                s.createSnapshot("it-stream-2");
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                SnapshotSender.send(s, "it-stream-2", "it-stream-1", out);
                changes = out.toByteArray();
            }
            assertTrue(changes.length < 1000, "the changes alone: " + changes.length + " bytes");

            // Damaged, or of another media type: refused, nothing changed.
            byte[] damaged = changes.clone();
            damaged[damaged.length / 2] ^= 0x08;
            HttpResponse<byte[]> bad = send("POST", app("/api/admin/receive"), STREAM_TYPE, damaged);
            assertEquals(400, bad.statusCode(), text(bad));
            assertTrue(text(bad).contains("\"error\":\"bad_stream\"") && text(bad).contains("corrupt"), text(bad));
            HttpResponse<byte[]> json = send("POST", app("/api/admin/receive"), "application/json", changes);
            assertEquals(415, json.statusCode(), text(json));
            assertEquals(200, send("GET", app("/api/objects/it/stream/" + RUN + "/a"), null, null).statusCode(), "unchanged");

            HttpResponse<byte[]> received = send("POST", app("/api/admin/receive"), STREAM_TYPE, changes);
            assertEquals(200, received.statusCode(), text(received));
            assertTrue(text(received).contains("\"snapshot\":\"it-stream-2\"") && text(received).contains("\"base\":\"it-stream-1\"")
                    && text(received).contains("\"puts\":1") && text(received).contains("\"deletes\":1"), text(received));
            assertEquals("written elsewhere", text(send("GET", app("/api/objects/it/stream/" + RUN + "/from-elsewhere"), null, null)));
            assertEquals(404, send("GET", app("/api/objects/it/stream/" + RUN + "/a"), null, null).statusCode());
            assertArrayEquals(big, send("GET", app("/api/objects/it/stream/" + RUN + "/big"), null, null).body(), "untouched");
            assertTrue(text(send("GET", app("/api/snapshots"), null, null)).contains("\"it-stream-2\""));

            // The same changes again: the store no longer holds their base.
            HttpResponse<byte[]> again = send("POST", app("/api/admin/receive"), STREAM_TYPE, changes);
            assertEquals(400, again.statusCode(), text(again));
            assertTrue(text(again).contains("base"), text(again));
        } finally {
            send("DELETE", app("/api/snapshots/it-stream-1"), null, null);
            send("DELETE", app("/api/snapshots/it-stream-2"), null, null);
        }
    }

    @Test
    void aStreamOfASnapshotThatDoesNotExistIsA404() throws Exception {
        HttpResponse<byte[]> none = send("GET", app("/api/snapshots/it-no-such-snapshot/stream"), null, null);
        assertEquals(404, none.statusCode(), text(none));
        assertTrue(text(none).contains("\"error\":\"not_found\"") && text(none).contains("it-no-such-snapshot"), text(none));
        HttpResponse<byte[]> taken = send("POST", app("/api/snapshots"), "application/json", "{\"name\":\"it-stream-3\"}".getBytes(UTF_8));
        assertEquals(201, taken.statusCode(), text(taken));
        try {
            HttpResponse<byte[]> from = send("GET", app("/api/snapshots/it-stream-3/stream?from=it-nothing"), null, null);
            assertEquals(404, from.statusCode(), text(from));
            assertTrue(text(from).contains("it-nothing"), text(from));
            HttpResponse<byte[]> wrong = send("PUT", app("/api/snapshots/it-stream-3/stream"), null, new byte[1]);
            assertEquals(405, wrong.statusCode(), text(wrong));
        } finally {
            send("DELETE", app("/api/snapshots/it-stream-3"), null, null);
        }
    }
}
