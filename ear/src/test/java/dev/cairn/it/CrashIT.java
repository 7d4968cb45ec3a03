package dev.cairn.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Kills a real Liberty server running Cairn with SIGKILL (kill -9) at the
 * worst moments — between XA prepare and commit, and under concurrent HTTP
 * writes — restarts it, and checks what survived. One server, one store and
 * one Derby database for the whole class, restarted by every test.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class CrashIT {

    private static LibertyProcess server;

    @BeforeAll
    static void deploy() throws Exception {
        Path data = Path.of(System.getProperty("crash.data.dir"));
        Files.createDirectories(data);
        server = new LibertyProcess(data.resolve("cairn.store"));
        server.deploy();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    private String xaState(String key) throws Exception {
        HttpResponse<byte[]> r = server.send("GET", "/cairn-crash/xa?key=" + key, null);
        assertEquals(200, r.statusCode(), new String(r.body(), UTF_8));
        return new String(r.body(), UTF_8);
    }

    /** Runs one XA transaction (Derby and Cairn) that stops at {@code failPoint}; kills the server there; restarts it. */
    private void crashAt(String failPoint, String key) throws Exception {
        server.start("-Dcairn.failpoint=" + failPoint);
        CompletableFuture<HttpResponse<byte[]>> request = server.http.sendAsync(
                HttpRequest.newBuilder(URI.create(
                        "http://localhost:" + server.httpPort + "/cairn-crash/xa?key=" + key))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        String marker = "CAIRN-FAILPOINT " + failPoint + " reached";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!server.logged(marker)) {
            assertTrue(System.nanoTime() < deadline, "the transaction never reached " + failPoint);
            assertTrue(!request.isDone(), () -> "the transaction ended before " + failPoint + ": " + request.join().statusCode());
            Thread.sleep(50);
        }
        server.kill9();
        server.start("");
    }

    /** Polls until Cairn holds no branch in doubt (recovery has run), then returns the key's state. */
    private String afterRecovery(String key) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        String state = xaState(key);
        while (!state.endsWith("prepared=0") && System.nanoTime() < deadline) {
            Thread.sleep(250);
            state = xaState(key);
        }
        return state;
    }

    @Test
    void a_killedAfterTheCommitDecisionRecoveryCommitsBoth() throws Exception {
        String key = "crash-xa-commit-" + System.nanoTime();
        crashAt("xa-commit", key);
        assertEquals("derby=v-" + key + " cairn=v-" + key + " prepared=0", afterRecovery(key),
                "the transaction manager logged commit: recovery commits Cairn's prepared branch");
    }

    @Test
    void b_killedBetweenPrepareAndTheDecisionRecoveryRollsBackBoth() throws Exception {
        String key = "crash-xa-prepared-" + System.nanoTime();
        crashAt("xa-prepared", key);
        assertEquals("derby=null cairn=null prepared=0", afterRecovery(key),
                "no commit was logged: recovery rolls back Cairn's prepared branch");
    }

    @Test
    void c_killedUnderHttpLoadNoAcknowledgedWriteIsLostAndNoBatchIsHalfApplied() throws Exception {
        server.start("");
        String run = "load-" + System.nanoTime() + "/";
        Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
        List<String> batches = Collections.synchronizedList(new ArrayList<>());
        Map<String, Boolean> batchAcknowledged = new ConcurrentHashMap<>();
        AtomicBoolean killed = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int writer = w;
            Thread t = new Thread(() -> {
                for (int i = 0; !killed.get(); i++) {
                    String batch = null;
                    try {
                        if (i % 4 == 3) {
                            String prefix = run + "batch-" + writer + "-" + i + "/";
                            batch = prefix;
                            batches.add(prefix);
                            StringBuilder ops = new StringBuilder("{\"ops\":[");
                            for (int k = 0; k < 3; k++) {
                                ops.append(k == 0 ? "" : ",").append("{\"op\":\"put\",\"key\":\"").append(prefix).append(k)
                                        .append("\",\"value\":\"").append(Base64.getEncoder().encodeToString((prefix + k).getBytes(UTF_8)))
                                        .append("\"}");
                            }
                            HttpResponse<byte[]> r = server.send("POST", "/cairn/api/batch", ops.append("]}").toString().getBytes(UTF_8));
                            if (r.statusCode() == 200) {
                                batchAcknowledged.put(prefix, true);
                            }
                        } else {
                            String key = run + "put-" + writer + "-" + i;
                            byte[] value = (key + "-" + "x".repeat(i % 200)).getBytes(UTF_8);
                            HttpResponse<byte[]> r = server.send("PUT", "/cairn/api/objects/" + key, value);
                            if (r.statusCode() == 201 || r.statusCode() == 200 || r.statusCode() == 204) {
                                acknowledged.put(key, value);
                            }
                        }
                    } catch (ConnectException e) {
                        // Refused: never reached the server, so nothing to check after the restart
                        // (the writers fire thousands of these between the kill and their stop).
                        if (batch != null) {
                            batches.remove(batch);
                        }
                    } catch (Exception e) {
                        // the server died under this request: not acknowledged, maybe applied
                    }
                }
            });
            t.start();
            writers.add(t);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acknowledged.size() + batchAcknowledged.size() < 300 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        server.kill9();
        killed.set(true);
        for (Thread t : writers) {
            t.join(TimeUnit.SECONDS.toMillis(90));
        }
        assertTrue(acknowledged.size() >= 100, "the load ran: " + acknowledged.size() + " PUTs acknowledged");

        server.start("");
        for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
            HttpResponse<byte[]> r = server.send("GET", "/cairn/api/objects/" + e.getKey(), null);
            assertEquals(200, r.statusCode(), "acknowledged PUT of " + e.getKey() + " lost");
            assertArrayEquals(e.getValue(), r.body(), e.getKey());
        }
        int applied = 0;
        for (String prefix : batches) {
            int present = 0;
            for (int k = 0; k < 3; k++) {
                HttpResponse<byte[]> r = server.send("GET", "/cairn/api/objects/" + prefix + k, null);
                if (r.statusCode() == 200) {
                    assertArrayEquals((prefix + k).getBytes(UTF_8), r.body());
                    present++;
                } else {
                    assertEquals(404, r.statusCode());
                }
            }
            assertTrue(present == 0 || present == 3, prefix + " half applied: " + present + " of 3");
            if (batchAcknowledged.containsKey(prefix)) {
                assertEquals(3, present, "acknowledged batch " + prefix + " lost");
            }
            applied += present / 3;
        }
        assertTrue(applied >= batchAcknowledged.size());
        System.out.printf("kill -9 under load: %d PUTs and %d batches acknowledged, all present; %d of %d batches sent applied whole%n",
                acknowledged.size(), batchAcknowledged.size(), applied, batches.size());
        HttpResponse<byte[]> check = server.send("POST", "/cairn/api/admin/check", null);
        assertEquals(200, check.statusCode(), new String(check.body(), UTF_8));
        assertTrue(new String(check.body(), UTF_8).contains("\"ok\":true"), new String(check.body(), UTF_8));
    }

    @Test
    void d_aFailedFsyncTurnsTheStoreReadOnlyReadinessDownAndARestartKeepsEveryAcknowledgedWrite() throws Exception {
        Path marker = server.data.resolveSibling(server.data.getFileName() + ".fail-fsync");
        Files.deleteIfExists(marker);
        server.start("-Dcairn.failpoint=fsync-switch");
        String run = "fsync-" + System.nanoTime() + "/";
        byte[] kept = (run + "kept").getBytes(UTF_8);
        assertEquals(201, server.send("PUT", "/cairn/api/objects/" + run + "kept", kept).statusCode());

        Files.createFile(marker); // from now on the disk fails every fsync
        try {
            HttpResponse<byte[]> failed = server.send("PUT", "/cairn/api/objects/" + run + "failed", kept);
            String body = new String(failed.body(), UTF_8);
            assertEquals(503, failed.statusCode(), body);
            assertTrue(body.contains("\"read_only\"") && body.contains("fsync"), "the error says the store is read-only and why: " + body);
            HttpResponse<byte[]> refused = server.send("PUT", "/cairn/api/objects/" + run + "refused", kept);
            assertEquals(503, refused.statusCode(), "a read-only store refuses writes until a restart");
            HttpResponse<byte[]> read = server.send("GET", "/cairn/api/objects/" + run + "kept", null);
            assertEquals(200, read.statusCode(), "reads go on");
            assertArrayEquals(kept, read.body());

            HttpResponse<byte[]> ready = server.send("GET", "/health/ready", null);
            String health = new String(ready.body(), UTF_8);
            assertEquals(503, ready.statusCode(), health);
            assertTrue(health.contains("\"cairn-store\"") && health.contains("\"writable\":false")
                    && health.contains("\"status\":\"DOWN\"") && health.contains("fsync"), health);
            String stats = new String(server.send("GET", "/cairn/api/admin/stats", null).body(), UTF_8);
            assertTrue(stats.contains("\"readOnly\":1") && stats.contains("\"readOnlyReason\""), stats);

            // XA against the read-only store: Cairn's prepare fails, so the transaction manager rolls Derby back.
            HttpResponse<byte[]> xa = server.send("POST", "/cairn-crash/xa?key=" + run + "xa", null);
            assertTrue(xa.statusCode() >= 500, "the XA transaction cannot commit: " + xa.statusCode());
            assertEquals("derby=null cairn=null prepared=0", xaState(run + "xa"));
        } finally {
            Files.deleteIfExists(marker);
        }

        server.stop();
        server.start(""); // asserts readiness is UP and writable again
        HttpResponse<byte[]> after = server.send("GET", "/cairn/api/objects/" + run + "kept", null);
        assertEquals(200, after.statusCode(), "acknowledged before the failure");
        assertArrayEquals(kept, after.body());
        // The commit whose fsync failed was answered 503, never acknowledged: whether its blocks and
        // superblock reached the disk is unknown (here the kernel kept them), so it is wholly there or
        // wholly absent. The write refused afterwards never reached the store.
        HttpResponse<byte[]> failedAfter = server.send("GET", "/cairn/api/objects/" + run + "failed", null);
        assertTrue(failedAfter.statusCode() == 404
                || (failedAfter.statusCode() == 200 && Arrays.equals(kept, failedAfter.body())),
                "the failed commit is wholly there or wholly absent: " + failedAfter.statusCode());
        assertEquals(404, server.send("GET", "/cairn/api/objects/" + run + "refused", null).statusCode());
        HttpResponse<byte[]> check = server.send("POST", "/cairn/api/admin/check", null);
        assertTrue(new String(check.body(), UTF_8).contains("\"ok\":true"), new String(check.body(), UTF_8));
    }

    /**
     * A store file that is not a Cairn store — text, random bytes, empty, a
     * store cut short: the server starts, readiness is DOWN naming why, every
     * request answers 503 with that reason (not 500 with the connection
     * manager's stack trace), and the file is left exactly as it was.
     */
    @Test
    void f_aStoreThatCannotBeOpenedAnswers503AndIsLeftUntouched() throws Exception {
        Path dir = Path.of(System.getProperty("crash.data.dir"));
        byte[] random = new byte[1 << 16];
        new Random(9).nextBytes(random);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("text.store", "this is not a Cairn store\n".getBytes(UTF_8));
        files.put("random.store", random);
        files.put("empty.store", new byte[0]);
        byte[] head = new byte[40_000]; // a real store's first blocks, the rest cut off
        try (InputStream in = Files.newInputStream(server.data)) {
            head = in.readNBytes(head.length);
        }
        files.put("truncated.store", head);
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path bad = dir.resolve(f.getKey());
            Files.write(bad, f.getValue());
            LibertyProcess broken = new LibertyProcess(bad);
            try {
                String ready = broken.startUnchecked();
                assertTrue(ready.contains("\"status\":\"DOWN\""), f.getKey() + ": " + ready);
                for (String method : new String[] {"GET", "PUT", "DELETE"}) {
                    HttpResponse<byte[]> r = broken.send(method, "/cairn/api/objects/k", method.equals("PUT") ? new byte[] {1} : null);
                    String body = new String(r.body(), UTF_8);
                    assertEquals(503, r.statusCode(), f.getKey() + " " + method + ": " + body);
                    assertTrue(body.contains("\"error\":\"unavailable\"") && body.contains(f.getKey()), body);
                }
            } finally {
                broken.stop();
            }
            assertArrayEquals(f.getValue(), Files.readAllBytes(bad), f.getKey() + " was changed");
            // Liberty starts a new messages.log at each start: all of it is this run's. The store's
            // state is logged once, at start; the requests add no stack trace of the pool's.
            String log = broken.logSince(0);
            assertTrue(!log.contains("J2CA0046E") && !log.contains("Cairn request failed"), f.getKey() + ": " + log);
        }
    }
}
