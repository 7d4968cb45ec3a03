package dev.cairn.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP front door over a raw socket, so every request goes out with
 * exactly the bytes written here (no client resolves {@code ..} or
 * re-encodes a path): a request names exactly one key or is refused with a
 * JSON 4xx, never answered 5xx for a client's mistake, and the server log
 * holds no stack trace for any of them.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class FrontDoorIT {

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return Deployments.shippedEar();
    }

    @ArquillianResource
    URL base;

    private static final String PASSWORD = System.getenv("CAIRN_ADMIN_PASSWORD");

    /** A raw HTTP/1.1 answer. */
    record Answer(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** The JSON error code, asserting the body is Cairn's JSON error. */
        String error() {
            assertTrue(header("Content-Type") != null && header("Content-Type").startsWith("application/json"),
                    status + " without a JSON body: " + headers + " " + text());
            Matcher m = Pattern.compile("\"error\":\"([a-z_0-9]+)\"").matcher(text());
            assertTrue(m.find() && text().contains("\"message\":\""), "not {error, message}: " + text());
            return m.group(1);
        }
    }

    private long logStart;
    private String run;

    @BeforeEach
    void mark() throws IOException {
        logStart = Files.exists(log()) ? Files.size(log()) : 0;
        run = "fd" + System.nanoTime() + "/";
    }

    /** No request of a test may leave a stack trace, an FFDC or a webcontainer error in the log. */
    @AfterEach
    void logHasNoStackTrace() throws IOException {
        String added = logSince(logStart);
        for (String line : added.split("\n")) {
            if (line.contains("FFDC1015I") && line.contains("EOFException: Connection closed")) {
                continue; // Liberty's own incident for a client that hung up mid-body; nothing of Cairn's
            }
            assertFalse(line.matches("\\s+at [\\w.$]+\\(.*") || line.contains("FFDC") || line.contains("SRVE0315E")
                    || line.contains("J2CA0046E") || line.contains(" E "), "the log has: " + line);
        }
    }

    private static Path log() {
        return Path.of(System.getProperty("liberty.dir"), "usr/servers", System.getProperty("it.server.name"), "logs/messages.log");
    }

    private static String logSince(long offset) throws IOException {
        byte[] all = Files.readAllBytes(log());
        return new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset), UTF_8);
    }

    private Answer raw(String method, String path, String user, Map<String, String> headers, byte[] body) throws IOException {
        return raw(method, path, user, headers, body, body == null ? -1 : body.length);
    }

    /** Sends the request line with {@code path} exactly as given; {@code declared} is the Content-Length sent (-1: none). */
    private Answer raw(String method, String path, String user, Map<String, String> headers, byte[] body, long declared)
            throws IOException {
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(60_000);
            StringBuilder req = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(base.getHost()).append(':').append(base.getPort()).append("\r\n")
                    .append("Connection: close\r\n");
            if (user != null) {
                req.append("Authorization: Basic ")
                        .append(Base64.getEncoder().encodeToString((user + ":" + PASSWORD).getBytes(UTF_8))).append("\r\n");
            }
            for (Map.Entry<String, String> h : headers.entrySet()) {
                req.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
            }
            if (declared >= 0) {
                req.append("Content-Length: ").append(declared).append("\r\n");
            }
            req.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(UTF_8));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            if (declared > (body == null ? 0 : body.length)) {
                s.shutdownOutput(); // the rest of the body never comes
            }
            return parse(s.getInputStream(), method.equals("HEAD"));
        }
    }

    private static Answer parse(InputStream in, boolean head) throws IOException {
        String status = line(in);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(in); !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            headers.merge(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
        }
        int code = Integer.parseInt(status.split(" ")[1]);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (!head && code != 204 && code != 304) {
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                for (int n = Integer.parseInt(line(in).split(";")[0].trim(), 16); n > 0;
                        n = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
                    body.write(in.readNBytes(n));
                    line(in);
                }
            } else if (headers.containsKey("content-length")) {
                body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
            } else {
                body.write(in.readAllBytes());
            }
        }
        return new Answer(code, headers, body.toByteArray());
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("the connection closed mid-line: " + b);
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(UTF_8);
    }

    private String api(String rest) {
        return base.getPath().replaceAll("/$", "") + "/api/" + rest;
    }

    private Answer put(String rawKey, String value, Map<String, String> headers) throws IOException {
        return raw("PUT", api("objects/" + rawKey), "admin", headers, value.getBytes(UTF_8));
    }

    private Answer get(String rawKey) throws IOException {
        return raw("GET", api("objects/" + rawKey), "admin", Map.of(), null);
    }

    /** Every key under this test's prefix, as the listing returns them (JSON strings, unescaped enough for these keys). */
    private List<String> keys() throws IOException {
        Answer a = raw("GET", api("objects?limit=10000&prefix=" + run.replace("/", "%2F")), "admin", Map.of(), null);
        assertEquals(200, a.status(), a.text());
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\"key\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(a.text());
        while (m.find()) {
            out.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        return out;
    }

    @Test
    void everyPathNamesExactlyTheKeyItSpellsOrIsRefused() throws IOException {
        assertEquals(201, put(run + "target", "original", Map.of()).status());
        // raw path after the prefix -> the key it must store, or null: refused with 400 bad_key
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("target;x", "target;x");
        cases.put("target%3By", "target;y");
        cases.put("target%20", "target ");
        cases.put("sub//target", "sub//target");
        cases.put("dir/", "dir/");
        cases.put("a+b", "a+b");
        cases.put("caf%C3%A9", "caf\u00e9");
        cases.put("sub/./target", null);
        cases.put("x/../target", null);
        cases.put("x/..", null);
        cases.put("enc%2Fslash", "enc/slash");
        cases.put("a%2Eb", "a.b");
        cases.put("a%23b", "a#b");
        cases.put("a%5Cb", "a\\b");
        cases.put("x/%2E%2E/target", null);
        cases.put("a%FFb", null);
        cases.put("k".repeat(257), null);
        List<String> expected = new ArrayList<>(List.of(run + "target"));
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Answer a = put(run + c.getKey(), "via " + c.getKey(), Map.of());
            if (c.getValue() == null) {
                assertEquals(400, a.status(), c.getKey() + ": " + a.text());
                assertEquals("bad_key", a.error(), c.getKey());
            } else {
                assertEquals(201, a.status(), c.getKey() + ": " + a.text());
                expected.add(run + c.getValue());
                Answer back = get(run + c.getKey());
                assertEquals(200, back.status(), c.getKey());
                assertEquals("via " + c.getKey(), back.text(), c.getKey());
            }
            assertEquals("original", get(run + "target").text(), "after " + c.getKey());
        }
        expected.sort(null);
        List<String> stored = keys();
        stored.sort(null);
        assertEquals(expected, stored, "exactly the keys the paths spell, nothing else");

        // Liberty takes ";jsessionid=" out of getRequestURI() as a session id; Cairn keeps it in the key.
        Answer session = put(run + "target;jsessionid=1", "with a session id", Map.of());
        assertEquals(201, session.status(), session.text());
        expected.add(run + "target;jsessionid=1");
        assertEquals("with a session id", get(run + "target;jsessionid=1").text());
        assertEquals("original", get(run + "target").text());
        Answer del = raw("DELETE", api("objects/" + run + "target;jsessionid=1"), "admin", Map.of(), null);
        assertEquals(204, del.status(), del.text());
        expected.remove(run + "target;jsessionid=1");
        assertEquals("original", get(run + "target").text(), "the DELETE removed its own key, not target");
        assertEquals(404, raw("DELETE", api("objects/" + run + "target;jsessionid=1"), "admin", Map.of(), null).status());
        // A malformed escape or an escaped control character is refused by Liberty itself,
        // before any application sees the request (its own HTML body): 400, and nothing stored.
        for (String refusedByLiberty : new String[] {"a%ZZ", "a%01b", "a%00"}) {
            assertEquals(400, put(run + refusedByLiberty, "x", Map.of()).status(), refusedByLiberty);
        }
        assertEquals(expected.size(), keys().size());
    }

    @Test
    void everyErrorOfTheContextRootIsJson() throws IOException {
        String path = api("objects/" + run + "k");
        Answer noAuth = raw("GET", path, null, Map.of(), null);
        assertEquals(401, noAuth.status());
        assertEquals("unauthorized", noAuth.error());
        assertNotNull(noAuth.header("WWW-Authenticate"), "a 401 still challenges");
        Answer wrong = raw("GET", path, null, Map.of("Authorization", "Basic " + Base64.getEncoder().encodeToString("admin:nope".getBytes(UTF_8))), null);
        assertEquals(401, wrong.status());
        assertEquals("unauthorized", wrong.error());
        Answer reader = raw("PUT", path, "reader", Map.of(), "x".getBytes(UTF_8));
        assertEquals(403, reader.status());
        assertEquals("forbidden", reader.error());
        assertEquals(404, get(run + "k").status(), "the refused write wrote nothing");

        Answer trace = raw("TRACE", path, "admin", Map.of(), null);
        assertFalse(trace.text().contains("Authorization"), "TRACE echoed the request: " + trace.text());
        Answer traceAdminPage = raw("TRACE", base.getPath().replaceAll("/$", "") + "/admin/index.html", "admin", Map.of(), null);
        assertEquals(405, traceAdminPage.status(), traceAdminPage.text());
        assertEquals("method_not_allowed", traceAdminPage.error());
        for (String method : new String[] {"PATCH", "TRACE", "PROPFIND", "FROB"}) {
            Answer a = raw(method, path, "admin", Map.of(), null);
            assertEquals(405, a.status(), method + ": " + a.text());
            assertEquals("method_not_allowed", a.error(), method);
            assertEquals("DELETE, GET, HEAD, OPTIONS, PUT", a.header("Allow"), method);
        }
        Answer options = raw("OPTIONS", path, null, Map.of(), null);
        assertEquals(204, options.status());
        assertEquals("DELETE, GET, HEAD, OPTIONS, PUT", options.header("Allow"));
        assertEquals("OPTIONS, POST", raw("OPTIONS", api("batch"), null, Map.of(), null).header("Allow"));
        Answer putStats = raw("PUT", api("admin/stats"), "admin", Map.of(), "x".getBytes(UTF_8));
        assertEquals(405, putStats.status());
        assertEquals("method_not_allowed", putStats.error());
        assertEquals("GET, HEAD, OPTIONS", putStats.header("Allow"));
    }

    @Test
    void aBadBatchIsA400NamingWhatIsWrongAndAppliesNothing() throws IOException {
        Map<String, String> json = Map.of("Content-Type", "application/json");
        String ok = "{\"op\":\"put\",\"key\":\"" + run + "first\",\"value\":\"QQ==\"}";
        Map<String, String> bodies = new LinkedHashMap<>();
        bodies.put("{\"ops\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}", "bad_body");
        bodies.put("{\"ops\":[" + ok + "]} trailing", "bad_body");
        bodies.put("{\"ops\":[" + ok + "]}{\"ops\":[]}", "bad_body");
        bodies.put("{\"ops\":[" + ok + ",{\"op\":\"delete\",\"key\":\"" + run + "x/../y\"}]}", "bad_key");
        for (Map.Entry<String, String> b : bodies.entrySet()) {
            Answer a = raw("POST", api("batch"), "admin", json, b.getKey().getBytes(UTF_8));
            assertEquals(400, a.status(), a.text());
            assertEquals(b.getValue(), a.error());
        }
        Answer badKey = raw("POST", api("batch"), "admin", json,
                ("{\"ops\":[" + ok + ",{\"op\":\"delete\",\"key\":\"\"}]}").getBytes(UTF_8));
        assertTrue(badKey.text().contains("ops[1].key"), badKey.text());
        assertEquals(404, get(run + "first").status(), "nothing of a refused batch is applied");

        // A body a browser may send cross-site without asking is refused: 415.
        for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", null}) {
            Map<String, String> h = type == null ? Map.of() : Map.of("Content-Type", type);
            Answer a = raw("POST", api("batch"), "admin", h, ("{\"ops\":[" + ok + "]}").getBytes(UTF_8));
            assertEquals(415, a.status(), type + ": " + a.text());
            assertEquals("unsupported_media_type", a.error());
            Answer sync = raw("POST", api("admin/sync"), "admin", h, new byte[0]);
            assertEquals(415, sync.status(), "admin/sync with " + type);
        }
        assertEquals(404, get(run + "first").status());
        Answer applied = raw("POST", api("batch"), "admin", Map.of("Content-Type", "application/json; charset=utf-8"),
                ("{\"ops\":[" + ok + "]}").getBytes(UTF_8));
        assertEquals(200, applied.status(), applied.text());
    }

    /** Plain PUTs and DELETEs of one key are blind writes: each succeeds, the last one committed stays. */
    @Test
    void concurrentPlainWritesOfOneKeyAllSucceed() throws Exception {
        String key = run + "contended";
        int clients = 4;
        int each = 30;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<List<Integer>>> jobs = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int id = c;
            jobs.add(pool.submit(() -> {
                List<Integer> statuses = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                    if (i % 10 == 9) {
                        statuses.add(raw("DELETE", api("objects/" + key), "admin", Map.of(), null).status());
                    } else if (i % 10 == 5) {
                        String batch = "{\"ops\":[{\"op\":\"put\",\"key\":\"" + key + "\",\"value\":\"Yg==\"},"
                                + "{\"op\":\"put\",\"key\":\"" + run + "other\",\"value\":\"Yg==\"}]}";
                        statuses.add(raw("POST", api("batch"), "admin", Map.of("Content-Type", "application/json"),
                                batch.getBytes(UTF_8)).status());
                    } else {
                        statuses.add(put(key, id + "-" + i, Map.of()).status());
                    }
                }
                return statuses;
            }));
        }
        for (Future<List<Integer>> f : jobs) {
            for (int status : f.get()) {
                assertTrue(status == 200 || status == 201 || status == 204 || status == 404, "answered " + status);
            }
        }
        pool.shutdown();
        int last = put(key, "last", Map.of()).status();
        assertTrue(last == 201 || last == 204, "answered " + last);
        assertEquals("last", get(key).text());
    }

    @Test
    void conditionalRequestsCompareTheStrongTag() throws IOException {
        String key = run + "cas";
        Answer created = put(key, "one", Map.of("If-None-Match", "*"));
        assertEquals(201, created.status(), created.text());
        String tag1 = created.header("ETag");
        assertTrue(tag1 != null && tag1.startsWith("\"") && tag1.endsWith("\""), "strong tag: " + tag1);
        Answer again = put(key, "two", Map.of("If-None-Match", "*"));
        assertEquals(412, again.status(), again.text());
        assertEquals("precondition_failed", again.error());
        assertEquals("one", get(key).text(), "a failed create-only PUT wrote nothing");

        Answer got = get(key);
        assertEquals(tag1, got.header("ETag"), "GET and PUT give one tag for one value");
        Answer head = raw("HEAD", api("objects/" + key), "admin", Map.of(), null);
        assertEquals(tag1, head.header("ETag"));
        assertEquals("3", head.header("Content-Length"));
        Answer notModified = raw("GET", api("objects/" + key), "admin", Map.of("If-None-Match", tag1), null);
        assertEquals(304, notModified.status());
        assertEquals(200, raw("GET", api("objects/" + key), "admin", Map.of("If-None-Match", "\"other\""), null).status());

        Answer stale = put(key, "three", Map.of("If-Match", "\"i0000000000000000\""));
        assertEquals(412, stale.status());
        assertEquals("precondition_failed", stale.error());
        Answer swapped = put(key, "three", Map.of("If-Match", tag1));
        assertEquals(204, swapped.status(), swapped.text());
        String tag3 = swapped.header("ETag");
        assertFalse(tag1.equals(tag3), "a new value, a new tag");
        assertEquals(412, put(key, "four", Map.of("If-Match", tag1)).status(), "the old tag no longer matches");
        assertEquals(412, raw("DELETE", api("objects/" + key), "admin", Map.of("If-Match", tag1), null).status());
        assertEquals("three", get(key).text());
        assertEquals(204, raw("DELETE", api("objects/" + key), "admin", Map.of("If-Match", tag3), null).status());
        assertEquals(412, put(key, "five", Map.of("If-Match", "*")).status(), "If-Match: * needs an object");
        assertEquals(400, put(key, "six", Map.of("If-Match", "unquoted")).status());
        assertEquals(404, get(key).status());
    }

    @Test
    void anObjectKeepsTheContentTypeItWasWrittenWith() throws IOException {
        String json = run + "typed.json";
        String type = "application/json; charset=utf-8";
        assertEquals(201, put(json, "{\"a\":1}", Map.of("Content-Type", type)).status());
        Answer got = get(json);
        assertEquals(200, got.status());
        assertEquals(type, got.header("Content-Type"), "kept byte for byte");
        assertEquals("{\"a\":1}", got.text());
        Answer head = raw("HEAD", api("objects/" + json), "admin", Map.of(), null);
        assertEquals(type, head.header("Content-Type"));
        assertEquals("7", head.header("Content-Length"));

        String big = run + "typed.bin"; // past the inline limit: the type lies with a large value
        byte[] bytes = new byte[40_000];
        new Random(3).nextBytes(bytes);
        assertEquals(201, raw("PUT", api("objects/" + big), "admin", Map.of("Content-Type", "image/png"), bytes).status());
        Answer bigGot = get(big);
        assertEquals("image/png", bigGot.header("Content-Type"));
        assertArrayEquals(bytes, bigGot.body());
        Answer ranged = raw("GET", api("objects/" + big), "admin", Map.of("Range", "bytes=10-19"), null);
        assertEquals(206, ranged.status());
        assertEquals("image/png", ranged.header("Content-Type"));

        String plain = run + "untyped";
        assertEquals(201, raw("PUT", api("objects/" + plain), "admin", Map.of(), "x".getBytes(UTF_8)).status());
        assertEquals("application/octet-stream", get(plain).header("Content-Type"), "no type sent: octet-stream");
        assertEquals(204, put(json, "[]", Map.of()).status());
        assertEquals("application/octet-stream", get(json).header("Content-Type"), "a replacement takes its own type");

        Answer list = raw("GET", api("objects?prefix=" + run.replace("/", "%2F") + "typed"), "admin", Map.of(), null);
        assertTrue(list.text().contains("\"key\":\"" + run + "typed.bin\",\"size\":40000,\"contentType\":\"image/png\""),
                list.text());

        for (String bad : List.of("no-slash", "text/plain; charset", "text/plain, text/html")) {
            Answer refused = put(json, "refused", Map.of("Content-Type", bad));
            assertEquals(400, refused.status(), bad + ": " + refused.text());
            assertEquals("bad_content_type", refused.error());
            assertTrue(refused.text().contains("type/subtype"), refused.text());
        }
        assertEquals("[]", get(json).text(), "a refused type wrote nothing");

        Answer batch = raw("POST", api("batch"), "admin", Map.of("Content-Type", "application/json"),
                ("{\"ops\":[{\"op\":\"put\",\"key\":\"" + run + "typed.csv\",\"value\":\"YSxi\",\"contentType\":\"text/csv\"}]}")
                        .getBytes(UTF_8));
        assertEquals(200, batch.status(), batch.text());
        assertEquals("text/csv", get(run + "typed.csv").header("Content-Type"));
        Answer badBatch = raw("POST", api("batch"), "admin", Map.of("Content-Type", "application/json"),
                ("{\"ops\":[{\"op\":\"put\",\"key\":\"" + run + "typed.bad\",\"value\":\"YQ==\",\"contentType\":\"csv\"}]}")
                        .getBytes(UTF_8));
        assertEquals(400, badBatch.status());
        assertEquals("bad_content_type", badBatch.error());
        assertTrue(badBatch.text().contains("ops[0].contentType"), badBatch.text());
        assertEquals(404, get(run + "typed.bad").status());
    }

    @Test
    void rangesReadOnlyWhatTheyAskFor() throws IOException {
        byte[] value = new byte[100_000]; // seven 16 KiB blocks
        new Random(7).nextBytes(value);
        String key = run + "ranged";
        assertEquals(201, raw("PUT", api("objects/" + key), "admin", Map.of(), value).status());
        Answer part = raw("GET", api("objects/" + key), "admin", Map.of("Range", "bytes=40000-40009"), null);
        assertEquals(206, part.status(), part.text());
        assertEquals("bytes 40000-40009/100000", part.header("Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(value, 40000, 40010), part.body());
        Answer tail = raw("GET", api("objects/" + key), "admin", Map.of("Range", "bytes=-5"), null);
        assertEquals(206, tail.status());
        assertArrayEquals(Arrays.copyOfRange(value, 99995, 100000), tail.body());
        Answer open = raw("GET", api("objects/" + key), "admin", Map.of("Range", "bytes=99990-"), null);
        assertArrayEquals(Arrays.copyOfRange(value, 99990, 100000), open.body());
        Answer past = raw("GET", api("objects/" + key), "admin", Map.of("Range", "bytes=100000-"), null);
        assertEquals(416, past.status());
        assertEquals("bad_range", past.error());
        assertEquals("bytes */100000", past.header("Content-Range"));
        Answer otherVersion = raw("GET", api("objects/" + key), "admin",
                Map.of("Range", "bytes=0-0", "If-Range", "\"i0000000000000000\""), null);
        assertEquals(200, otherVersion.status(), "If-Range of another version: the whole object");
        assertEquals(100_000, otherVersion.body().length);
    }

    @Test
    void anUploadCutOffMidBodyStoresNothingAndLeaksNoBlock() throws IOException {
        String key = run + "cut";
        byte[] half = new byte[50_000];
        new Random(3).nextBytes(half);
        Answer cut = raw("PUT", api("objects/" + key), "admin", Map.of(), half, 100_000);
        assertEquals(400, cut.status(), cut.text());
        assertEquals("bad_body", cut.error());
        assertEquals(404, get(key).status(), "nothing of a cut-off upload is stored");
        Answer check = raw("POST", api("admin/check"), "admin", Map.of("Content-Type", "application/json"), new byte[0]);
        assertEquals(200, check.status(), check.text());
        assertTrue(check.text().contains("\"ok\":true") && check.text().contains("\"leakedBlocks\":0"), check.text());
    }

    @Test
    void theServerDescribesEveryEndpointAndErrorInOpenApi() throws IOException {
        Answer doc = raw("GET", "/openapi", null, Map.of(), null);
        assertEquals(200, doc.status(), doc.text());
        for (String expected : new String[] {"/api/objects/{key}", "/api/objects:", "/api/batch", "/api/snapshots/{name}/objects/{key}",
                "/api/admin/check", "If-Match", "Range", "precondition_failed", "unsupported_media_type", "bad_key", "bad_content_type", "contentType"}) {
            assertTrue(doc.text().contains(expected), "the OpenAPI document lacks " + expected);
        }
    }

    @Test
    void aTakenSnapshotNameIsA409AndNoLoggedError() throws IOException {
        Map<String, String> json = Map.of("Content-Type", "application/json");
        String name = "fd-snap-" + System.nanoTime();
        byte[] body = ("{\"name\":\"" + name + "\"}").getBytes(UTF_8);
        assertEquals(201, raw("POST", api("snapshots"), "admin", json, body).status());
        Answer again = raw("POST", api("snapshots"), "admin", json, body);
        assertEquals(409, again.status(), again.text());
        assertEquals("exists", again.error());
        assertEquals(204, raw("DELETE", api("snapshots/" + name), "admin", Map.of(), null).status());
        Answer gone = raw("DELETE", api("snapshots/" + name), "admin", Map.of(), null);
        assertEquals(404, gone.status());
        assertEquals("not_found", gone.error());
    }
}
