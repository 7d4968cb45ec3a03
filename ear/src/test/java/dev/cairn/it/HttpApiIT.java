package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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

    private final HttpClient http = HttpClient.newHttpClient();

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
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
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
        HttpResponse<java.io.InputStream> get = http.send(admin(path).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, get.statusCode());
        try (java.io.InputStream body = get.body()) {
            assertArrayEquals(sha256(generated(size)), sha256(body));
        }
        assertEquals(204, send(admin(path).DELETE()).statusCode());
    }

    /** {@code size} pseudo-random bytes, the same whatever sizes they are read in. */
    private static java.io.InputStream generated(long size) {
        return new java.io.InputStream() {
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

    private static byte[] sha256(java.io.InputStream in) throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[65536];
        int n;
        while ((n = in.read(buf)) > 0) {
            md.update(buf, 0, n);
        }
        return md.digest();
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
