package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Random;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The HTTP object API over a real socket, as a client sees it. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HttpApiIT {

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return Deployments.shippedEar();
    }

    @ArquillianResource
    URL base;

    /**
     * HTTP/1.1, not the client's default HTTP/2: over plain HTTP the JDK client
     * upgrades to h2c and keeps that connection open, and Liberty's stop waits
     * for an open HTTP/2 connection until its 30 s quiesce runs out, so the
     * suite's final server stop timed out (Liberty's trace showed the plain
     * chain's stop waiting on an H2 link until it was forced).
     */
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private HttpRequest.Builder request(String path, String user, String password) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + path));
        if (user != null) {
            String token = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            b.header("Authorization", "Basic " + token);
        }
        return b;
    }

    private HttpRequest.Builder admin(String path) {
        return request(path, "admin", System.getenv("CAIRN_ADMIN_PASSWORD"));
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void putThenGetReturnsTheSameBytes() throws Exception {
        byte[] value = new byte[100_000];
        new Random(42).nextBytes(value);
        String path = "/api/objects/it/http/blob-" + System.nanoTime();

        HttpResponse<byte[]> put = send(admin(path).PUT(HttpRequest.BodyPublishers.ofByteArray(value)));
        assertEquals(201, put.statusCode(), text(put));
        HttpResponse<byte[]> get = send(admin(path).GET());
        assertEquals(200, get.statusCode());
        assertArrayEquals(value, get.body());

        byte[] second = "replaced".getBytes(StandardCharsets.UTF_8);
        assertEquals(204, send(admin(path).PUT(HttpRequest.BodyPublishers.ofByteArray(second))).statusCode());
        assertArrayEquals(second, send(admin(path).GET()).body());

        assertEquals(204, send(admin(path).DELETE()).statusCode());
        HttpResponse<byte[]> gone = send(admin(path).GET());
        assertEquals(404, gone.statusCode());
        assertTrue(text(gone).contains("\"error\":\"not_found\""), text(gone));
        assertEquals(404, send(admin(path).DELETE()).statusCode());
    }

    @Test
    void aLargeObjectStreamsInAndOut() throws Exception {
        long size = 40L << 20;
        String path = "/api/objects/it/large-" + System.nanoTime();
        HttpResponse<byte[]> put = send(admin(path).PUT(HttpRequest.BodyPublishers.ofInputStream(() -> generated(size))));
        assertEquals(201, put.statusCode(), text(put));
        HttpResponse<byte[]> head = send(admin(path).method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, head.statusCode());
        assertEquals(String.valueOf(size), head.headers().firstValue("Content-Length").orElse(""), "HEAD says the size");
        assertEquals(404, send(admin(path + "-absent").method("HEAD", HttpRequest.BodyPublishers.noBody())).statusCode());
        HttpResponse<InputStream> get = HTTP.send(admin(path).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, get.statusCode());
        try (InputStream body = get.body()) {
            assertArrayEquals(sha256(generated(size)), sha256(body));
        }
        assertEquals(204, send(admin(path).DELETE()).statusCode());
    }

    /** {@code size} pseudo-random bytes, the same whatever sizes they are read in. */
    private static InputStream generated(long size) {
        return new InputStream() {
            private final Random rnd = new Random(size);
            private final byte[] block = new byte[8192];
            private int at = block.length;
            private long pos;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= size) {
                    return -1;
                }
                if (at == block.length) {
                    rnd.nextBytes(block);
                    at = 0;
                }
                int n = (int) Math.min(Math.min(len, block.length - at), size - pos);
                System.arraycopy(block, at, b, off, n);
                at += n;
                pos += n;
                return n;
            }
        };
    }

    private static byte[] sha256(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[65536];
        int n;
        while ((n = in.read(buf)) > 0) {
            md.update(buf, 0, n);
        }
        return md.digest();
    }

    @Test
    void rolesAreEnforced() throws Exception {
        String path = "/api/objects/it/roles-" + System.nanoTime();
        String pw = System.getenv("CAIRN_ADMIN_PASSWORD");
        assertEquals(201, send(admin(path).PUT(HttpRequest.BodyPublishers.ofString("x"))).statusCode());
        assertEquals(200, send(request(path, "reader", pw).GET()).statusCode(), "a reader reads");
        assertEquals(403, send(request(path, "reader", pw).PUT(HttpRequest.BodyPublishers.ofString("y"))).statusCode());
        assertEquals(403, send(request(path, "reader", pw).DELETE()).statusCode());
        assertEquals(403, send(request("/api/admin/stats", "reader", pw).GET()).statusCode());
        assertEquals(403, send(request("/api/batch", "reader", pw).POST(HttpRequest.BodyPublishers.ofString("{}"))).statusCode());
        assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), send(admin(path).GET()).body(), "nothing changed");
    }

    @Test
    void listingPagesThroughKeysWithPrefixAfterAndLimit() throws Exception {
        String prefix = "it/list-" + System.nanoTime() + "/";
        for (int i = 0; i < 5; i++) {
            send(admin("/api/objects/" + prefix + i).PUT(HttpRequest.BodyPublishers.ofString("v".repeat(i + 1))));
        }
        send(admin("/api/objects/" + prefix.substring(0, prefix.length() - 1) + "0-outside").PUT(HttpRequest.BodyPublishers.ofString("o")));
        HttpResponse<byte[]> page1 = send(admin("/api/objects?prefix=" + prefix + "&limit=2").GET());
        assertEquals(200, page1.statusCode(), text(page1));
        assertEquals("{\"keys\":[{\"key\":\"" + prefix + "0\",\"size\":1},{\"key\":\"" + prefix + "1\",\"size\":2}],"
                + "\"next\":\"" + prefix + "1\"}", text(page1));
        HttpResponse<byte[]> page2 = send(admin("/api/objects?prefix=" + prefix + "&after=" + prefix + "1&limit=10").GET());
        assertEquals("{\"keys\":[{\"key\":\"" + prefix + "2\",\"size\":3},{\"key\":\"" + prefix + "3\",\"size\":4},"
                + "{\"key\":\"" + prefix + "4\",\"size\":5}],\"next\":null}", text(page2));
        HttpResponse<byte[]> bad = send(admin("/api/objects?limit=0").GET());
        assertEquals(400, bad.statusCode());
        assertTrue(text(bad).contains("bad_query"), text(bad));
    }

    @Test
    void aBatchIsAllOrNothing() throws Exception {
        String k = "it/batch-" + System.nanoTime();
        String ok = "{\"ops\":[{\"op\":\"put\",\"key\":\"" + k + "/a\",\"value\":\"" + Base64.getEncoder().encodeToString("A".getBytes())
                + "\"},{\"op\":\"put\",\"key\":\"" + k + "/b\",\"value\":\"Qg==\"},{\"op\":\"delete\",\"key\":\"" + k + "/a\"}]}";
        HttpResponse<byte[]> r = send(admin("/api/batch").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(ok)));
        assertEquals(200, r.statusCode(), text(r));
        assertEquals("{\"applied\":3}", text(r));
        assertEquals(404, send(admin("/api/objects/" + k + "/a").GET()).statusCode());
        assertArrayEquals("B".getBytes(), send(admin("/api/objects/" + k + "/b").GET()).body());

        // The second op has a key over 256 bytes: the first must not be applied either.
        String bad = "{\"ops\":[{\"op\":\"put\",\"key\":\"" + k + "/c\",\"value\":\"Qw==\"},"
                + "{\"op\":\"put\",\"key\":\"" + "k".repeat(300) + "\",\"value\":\"Qw==\"}]}";
        HttpResponse<byte[]> rejected = send(admin("/api/batch").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(bad)));
        assertEquals(400, rejected.statusCode(), text(rejected));
        assertEquals(404, send(admin("/api/objects/" + k + "/c").GET()).statusCode(), "all or nothing");

        for (String body : new String[] {"not json", "{}", "{\"ops\":[{\"op\":\"frob\",\"key\":\"x\"}]}",
                "{\"ops\":[{\"op\":\"put\",\"key\":\"x\",\"value\":\"***\"}]}"}) {
            HttpResponse<byte[]> b = send(admin("/api/batch").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
            assertEquals(400, b.statusCode(), body + " -> " + text(b));
            assertTrue(text(b).contains("bad_body"), text(b));
        }
    }

    @Test
    void snapshotsKeepWhatWasThere() throws Exception {
        String name = "it-snap-" + System.nanoTime();
        String path = "/api/objects/it/snapped-" + System.nanoTime();
        assertEquals(201, send(admin(path).PUT(HttpRequest.BodyPublishers.ofString("before"))).statusCode());
        HttpResponse<byte[]> made = send(admin("/api/snapshots").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}")));
        assertEquals(201, made.statusCode(), text(made));
        assertEquals(409, send(admin("/api/snapshots").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}"))).statusCode());
        assertEquals(204, send(admin(path).PUT(HttpRequest.BodyPublishers.ofString("after"))).statusCode());

        String key = path.substring("/api/objects/".length());
        HttpResponse<byte[]> old = send(admin("/api/snapshots/" + name + "/objects/" + key).GET());
        assertEquals(200, old.statusCode(), text(old));
        assertEquals("before", text(old));
        assertEquals("after", text(send(admin(path).GET())));
        assertTrue(text(send(admin("/api/snapshots").GET())).contains("\"name\":\"" + name + "\""));

        String pw = System.getenv("CAIRN_ADMIN_PASSWORD");
        assertEquals(403, send(request("/api/snapshots", "reader", pw).GET()).statusCode(), "snapshots are for admins");
        assertEquals(204, send(admin("/api/snapshots/" + name).DELETE()).statusCode());
        assertEquals(404, send(admin("/api/snapshots/" + name).DELETE()).statusCode());
        assertEquals(404, send(admin("/api/snapshots/" + name + "/objects/" + key).GET()).statusCode());
        assertEquals(400, send(admin("/api/snapshots").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"a/b\"}"))).statusCode());
    }

    @Test
    void credentialsAreRequired() throws Exception {
        String path = "/api/objects/it/secret";
        assertEquals(401, send(request(path, null, null).GET()).statusCode());
        assertEquals(401, send(request(path, "admin", "wrong-password").GET()).statusCode());
        assertEquals(401, send(request(path, null, null).PUT(HttpRequest.BodyPublishers.ofString("x"))).statusCode());
        assertEquals(401, send(request("/api/admin/stats", null, null).GET()).statusCode());
    }

    @Test
    void badInputGetsAClearJson4xx() throws Exception {
        HttpResponse<byte[]> empty = send(admin("/api/objects/").PUT(HttpRequest.BodyPublishers.ofString("x")));
        assertEquals(400, empty.statusCode(), text(empty));
        assertTrue(text(empty).contains("\"error\":\"bad_key\"") && text(empty).contains("empty"), text(empty));

        HttpResponse<byte[]> tooLong = send(admin("/api/objects/" + "k".repeat(257)).PUT(HttpRequest.BodyPublishers.ofString("x")));
        assertEquals(400, tooLong.statusCode(), text(tooLong));
        assertTrue(text(tooLong).contains("257 bytes"), text(tooLong));

        HttpResponse<byte[]> exact = send(admin("/api/objects/" + "k".repeat(256)).PUT(HttpRequest.BodyPublishers.ofString("x")));
        assertTrue(exact.statusCode() == 201 || exact.statusCode() == 204, text(exact));

        HttpResponse<byte[]> unknown = send(admin("/api/no-such-thing").GET());
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertTrue(text(unknown).contains("\"error\":\"not_found\""), text(unknown));

        HttpResponse<byte[]> missing = send(admin("/api/objects/it/never-written").GET());
        assertEquals(404, missing.statusCode());
        assertTrue(text(missing).contains("not_found"));
    }

    @Test
    void statsAnswersJson() throws Exception {
        send(admin("/api/objects/it/stats-probe").PUT(HttpRequest.BodyPublishers.ofString("x")));
        HttpResponse<byte[]> stats = send(admin("/api/admin/stats").GET());
        assertEquals(200, stats.statusCode());
        assertTrue(stats.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        String body = text(stats);
        assertTrue(body.contains("\"keys\":") && body.contains("\"localTransactionsCommitted\":"), body);
    }
}
