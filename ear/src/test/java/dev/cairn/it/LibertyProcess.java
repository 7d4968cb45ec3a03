package dev.cairn.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.shrinkwrap.api.Archive;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;

/**
 * A Liberty server the crash tests start with {@code bin/server start} and
 * kill with SIGKILL, as an operator's {@code kill -9} would: no shutdown
 * hooks, no adapter stop, nothing flushed that was not already forced.
 */
final class LibertyProcess {

    private static final Pattern STARTED = Pattern.compile("started with process ID (\\d+)");

    final String name = "cairnCrash";
    final Path wlp = Path.of(required("liberty.dir"));
    final int httpPort = Integer.parseInt(required("crash.http.port"));
    final int httpsPort = Integer.parseInt(required("crash.https.port"));
    final String password = "crash-" + System.nanoTime();
    final Path data;
    private long pid = -1;
    /** More environment for the server, set before it starts (a standby's primary, say). */
    final Map<String, String> env = new HashMap<>();
    /** Apps and overrides a test class added (see {@link #addApp}). */
    private final List<Path> added = new ArrayList<>();
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1) // see HttpApiIT.HTTP
            .connectTimeout(Duration.ofSeconds(5)).build();

    LibertyProcess(Path data) {
        this.data = data;
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        if (v == null) {
            throw new IllegalStateException("system property " + property + " is not set: run the integration tests through Maven (mvn verify)");
        }
        return v;
    }

    Path serverDir() {
        return wlp.resolve("usr/servers").resolve(name);
    }

    /**
     * Puts the shipped EAR plus the crash driver where server.xml's
     * enterpriseApplication finds it (apps/cairn.ear), replacing what an
     * earlier test left.
     */
    void deploy() throws IOException {
        Path apps = serverDir().resolve("apps");
        Files.createDirectories(apps);
        Deployments.shippedEarWithCrashDriver().as(ZipExporter.class).exportTo(apps.resolve("cairn.ear").toFile(), true);
    }

    /**
     * Starts the server (with {@code jvmArgs}, may be empty) and waits, as a
     * load balancer's probe would, until readiness is UP with Cairn's own
     * store check saying it is writable; then Cairn must answer over HTTP.
     * Readiness is tested here rather than in the Arquillian server because
     * there the application is redeployed per test class, and after a
     * redeployment Liberty's /health/ready no longer lists the application's
     * checks at all (answers UP with none); a real server deploys it once.
     */
    void start(String jvmArgs) throws Exception {
        launch(jvmArgs);
        String ready = awaitStoreCheck();
        if (!ready.contains("\"writable\":true") || !ready.contains("\"status\":\"UP\"")) {
            throw new IllegalStateException("readiness is not UP and writable: " + ready);
        }
        int objects = send("GET", "/cairn/api/objects?limit=1", null).statusCode();
        if (objects != 200) {
            throw new IllegalStateException("ready, but listing objects answered " + objects);
        }
    }

    /** Starts the server and returns readiness's answer once it lists Cairn's store check, whatever it says. */
    String startUnchecked() throws Exception {
        launch("");
        return awaitStoreCheck();
    }

    private void launch(String jvmArgs) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(wlp.resolve("bin/server").toString(), "start", name).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("CAIRN_HTTP_PORT", Integer.toString(httpPort));
        env.put("CAIRN_HTTPS_PORT", Integer.toString(httpsPort));
        env.put("CAIRN_ADMIN_PASSWORD", password);
        env.put("CAIRN_KEYSTORE_PASSWORD", "crash-keystore-only"); // fixed: the keystore outlives one test run
        env.put("CAIRN_DATA", data.toString());
        env.put("JVM_ARGS", jvmArgs);
        env.putAll(this.env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("server start failed: " + out);
        }
        Matcher m = STARTED.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no process id in: " + out);
        }
        pid = Long.parseLong(m.group(1));
    }

    private String awaitStoreCheck() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try {
                HttpResponse<byte[]> ready = send("GET", "/health/ready", null);
                String body = new String(ready.body(), StandardCharsets.UTF_8);
                if (body.contains("\"cairn-store\"")) {
                    return body;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("readiness never listed Cairn's store check within 120 s of server start; see " + serverDir().resolve("logs"));
            }
            Thread.sleep(200);
        }
    }

    /** SIGKILL, then waits until the process is gone. */
    void kill9() throws Exception {
        ProcessHandle h = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("server process " + pid + " is not running"));
        h.destroyForcibly();
        h.onExit().get(60, TimeUnit.SECONDS);
        pid = -1;
    }

    void stop() throws Exception {
        if (pid < 0) {
            return;
        }
        Process p = new ProcessBuilder(wlp.resolve("bin/server").toString(), "stop", name).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(120, TimeUnit.SECONDS);
        pid = -1;
    }

    /** An application archive put into the server's apps directory for one test class, removed by {@link #removeAdded}. */
    void addApp(Archive<?> app) throws IOException {
        Path to = serverDir().resolve("apps").resolve(app.getName());
        app.as(ZipExporter.class).exportTo(to.toFile(), true);
        added.add(to);
    }

    /** A configDropins override named {@code name} with {@code xml}, for one test class, removed by {@link #removeAdded}. */
    void addOverride(String name, String xml) throws IOException {
        Path to = serverDir().resolve("configDropins/overrides").resolve(name);
        Files.createDirectories(to.getParent());
        Files.writeString(to, xml, StandardCharsets.UTF_8);
        added.add(to);
    }

    /** Removes what {@link #addApp} and {@link #addOverride} added: the other tests share this server and expect it as shipped. */
    /** Stops the server, then removes what {@link #addApp} and {@link #addOverride} added, whatever the stop did. */
    void stopAndRemoveAdded() throws Exception {
        try {
            stop();
        } finally {
            removeAdded();
        }
    }

    void removeAdded() throws IOException {
        for (Path p : added) {
            Files.deleteIfExists(p);
        }
        added.clear();
    }

    /** Whether messages.log has a line containing {@code text}. */
    boolean logged(String text) throws IOException {
        Path log = log();
        return Files.exists(log) && Files.readString(log, StandardCharsets.ISO_8859_1).contains(text);
    }

    Path log() {
        return serverDir().resolve("logs/messages.log");
    }

    /** What messages.log gained after byte {@code offset} (all of it when the server rotated it since). */
    String logSince(long offset) throws IOException {
        byte[] all = Files.exists(log()) ? Files.readAllBytes(log()) : new byte[0];
        int from = offset <= all.length ? (int) offset : 0;
        return new String(all, from, all.length - from, StandardCharsets.ISO_8859_1);
    }

    HttpResponse<byte[]> send(String method, String path, byte[] body) throws IOException, InterruptedException {
        return send(method, path, body, true);
    }

    /** A GET over HTTPS as the admin (Liberty serves /metrics only there), trusting the server's self-signed certificate. */
    HttpResponse<String> getHttps(String path) throws Exception {
        return https("GET", path, null);
    }

    /** A request over HTTPS as the admin, a JSON body when not null (REST JMX's operations take one). */
    HttpResponse<String> https(String method, String path, String json) throws Exception {
        javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
        ssl.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        HttpClient https = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://localhost:" + httpsPort + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8)))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        return https.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * @param asAdmin whether to send the admin's credentials; Liberty
     *                authenticates them even on a resource no constraint
     *                protects, so the request then runs as the admin
     */
    HttpResponse<byte[]> send(String method, String path, byte[] body, boolean asAdmin) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + httpPort + path))
                .timeout(Duration.ofSeconds(60));
        if (asAdmin) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8)));
        }
        b.header("Content-Type", method.equals("POST") ? "application/json" : "application/octet-stream")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
