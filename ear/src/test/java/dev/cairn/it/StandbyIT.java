package dev.cairn.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two real servers: the Arquillian server is the primary, and {@code
 * cairnCrash} is started as its standby ({@code CAIRN_STANDBY_OF}). The
 * standby receives the primary's changes every second over HTTP, serves
 * them, refuses writes with {@code 503 read_only} naming its primary, shows
 * its lag in readiness, leaves one snapshot on the primary, and once promoted
 * through its MBean takes writes and no longer follows.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class StandbyIT {

    private static final String PASSWORD = System.getenv("CAIRN_ADMIN_PASSWORD");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String RUN = Long.toString(System.nanoTime(), 36);

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return Deployments.shippedEar();
    }

    @ArquillianResource
    URL base;

    private LibertyProcess standby;

    private String primary(String path) {
        return base.toString().replaceAll("/$", "") + path;
    }

    private static HttpResponse<byte[]> send(String method, String url, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(UTF_8)));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), UTF_8);
    }

    /** Waits until the standby answers {@code status} for {@code key}, with {@code body} when 200. */
    private void awaitOnStandby(String key, int status, String body) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        HttpResponse<byte[]> r;
        do {
            r = standby.send("GET", "/cairn/api/objects/" + key, null);
            if (r.statusCode() == status && (body == null || body.equals(text(r)))) {
                return;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the standby never answered " + status + " " + body + " for " + key + "; last "
                + r.statusCode() + " " + text(r) + "; readiness " + text(standby.send("GET", "/health/ready", null, false)));
    }

    @AfterEach
    void stop() throws Exception {
        if (standby != null) {
            standby.stop();
        }
        // The primary keeps the last snapshot a standby received: remove it.
        String list = text(send("GET", primary("/api/snapshots"), null));
        Matcher m = Pattern.compile("\"(cairn-standby-[0-9a-f]+-\\d+)\"").matcher(list);
        while (m.find()) {
            send("DELETE", primary("/api/snapshots/" + m.group(1)), null);
        }
    }

    @Test
    void aStandbyFollowsItsPrimaryRefusesWritesAndTakesThemOncePromoted() throws Exception {
        String k1 = "it/standby/" + RUN + "/one";
        String k2 = "it/standby/" + RUN + "/two";
        assertEquals(201, send("PUT", primary("/api/objects/" + k1), "one".getBytes(UTF_8)).statusCode());

        Path data = Path.of(System.getProperty("crash.data.dir")).resolve("standby-" + RUN);
        Files.createDirectories(data);
        standby = new LibertyProcess(data.resolve("cairn.store"));
        standby.deploy();
        standby.env.put("CAIRN_STANDBY_OF", base.toString().replaceAll("/$", ""));
        standby.env.put("CAIRN_STANDBY_PASSWORD", PASSWORD);
        standby.env.put("CAIRN_STANDBY_INTERVAL_SECONDS", "1");
        String ready = standby.startUnchecked();
        assertTrue(ready.contains("\"status\":\"UP\"") && ready.contains("\"writable\":false"), ready);

        awaitOnStandby(k1, 200, "one");
        HttpResponse<byte[]> refused = standby.send("PUT", "/cairn/api/objects/" + k2, "written on the standby".getBytes(UTF_8));
        assertEquals(503, refused.statusCode(), text(refused));
        assertTrue(text(refused).contains("\"error\":\"read_only\"") && text(refused).contains("standby of " + base.toString().replaceAll("/$", "")),
                text(refused));
        String readiness = text(standby.send("GET", "/health/ready", null, false));
        assertTrue(readiness.contains("\"standby\":true") && readiness.contains("\"standbyLagSeconds\""), readiness);

        // Later changes arrive too, deletes included; the primary keeps one snapshot for the standby.
        assertEquals(201, send("PUT", primary("/api/objects/" + k2), "two".getBytes(UTF_8)).statusCode());
        assertEquals(204, send("DELETE", primary("/api/objects/" + k1), null).statusCode());
        awaitOnStandby(k2, 200, "two");
        awaitOnStandby(k1, 404, null);
        String snapshots = text(send("GET", primary("/api/snapshots"), null));
        Matcher m = Pattern.compile("cairn-standby-[0-9a-f]+-\\d+").matcher(snapshots);
        int held = 0;
        while (m.find()) {
            held++;
        }
        assertTrue(held >= 1 && held <= 2, "the primary holds the standby's base, and at most the one being sent: " + snapshots);
        String stats = text(standby.send("GET", "/cairn/api/admin/stats", null));
        assertTrue(stats.contains("\"standby\":1") && Pattern.compile("\"standbyReceives\":[1-9]").matcher(stats).find(), stats);

        // Promoted through its MBean (REST JMX), it takes writes and no longer follows.
        String query = "/IBMJMXConnectorREST/mbeans?objectName=" + URLEncoder.encode("dev.cairn:type=Store,*", UTF_8);
        HttpResponse<String> found = standby.getHttps(query);
        Matcher url = Pattern.compile("\"URL\":\"([^\"]+)\"").matcher(found.body());
        assertTrue(url.find(), found.body());
        HttpResponse<String> promoted = standby.https("POST", url.group(1).replace("\\/", "/") + "/operations/promote",
                "{\"params\":[],\"signature\":[]}");
        assertEquals(200, promoted.statusCode(), promoted.body());
        assertTrue(promoted.body().contains("no longer a standby"), promoted.body());
        HttpResponse<byte[]> written = standby.send("PUT", "/cairn/api/objects/" + k2, "written after promotion".getBytes(UTF_8));
        assertEquals(204, written.statusCode(), text(written));
        assertEquals(201, send("PUT", primary("/api/objects/it/standby/" + RUN + "/three"), "three".getBytes(UTF_8)).statusCode());
        Thread.sleep(3000); // three rounds' worth: none runs after the promotion
        assertEquals(404, standby.send("GET", "/cairn/api/objects/it/standby/" + RUN + "/three", null).statusCode());
        assertEquals("written after promotion", text(standby.send("GET", "/cairn/api/objects/" + k2, null)));
    }
}
