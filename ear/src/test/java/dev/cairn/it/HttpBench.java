package dev.cairn.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.engine.Store;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.Txn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.ByteArrayAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API's figures with a real load generator (wrk, from Debian's
 * packages: installed here when missing and this runs as root), against
 * baselines measured in the same run: Liberty serving a static file of the
 * same size from the same server, and the engine's own 16-thread durable
 * single-put commits on the same disk. GET and durable PUT of 100-byte and
 * 1 MiB objects at 1 and 16 connections, after one untimed run each,
 * three rounds of five seconds, Cairn and its baseline taking turns; medians.
 * A benchmark, not a test: it asserts only that the requests succeeded.
 * {@code mvn -B install -DskipTests && mvn -B verify -pl ear -Phttp-bench}
 * ({@code -Dbench.rounds=N -Dbench.seconds=N}; {@code -Dbench.jfr=/tmp/x.jfr}
 * records the server's profile).
 */
class HttpBench {

    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final int SECONDS = Integer.getInteger("bench.seconds", 5);
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern ERRORS = Pattern.compile("Non-2xx or 3xx responses: (\\d+)|Socket errors: .*");

    private LibertyProcess server;

    @Test
    void httpAgainstAStaticFileAndTheEngine() throws Exception {
        String wrk = ensureWrk();
        Path data = Path.of(System.getProperty("crash.data.dir")).resolve("http-bench-" + Long.toString(System.nanoTime(), 36));
        Files.createDirectories(data);
        server = new LibertyProcess(data.resolve("cairn.store"));
        server.deploy();
        byte[] small = bytes(100, 1);
        byte[] large = bytes(1 << 20, 2);
        WebArchive statics = ShrinkWrap.create(WebArchive.class, "static.war")
                .add(new ByteArrayAsset(small), "small.bin").add(new ByteArrayAsset(large), "large.bin");
        server.addApp(statics);
        server.addOverride("http-bench.xml", """
                <server>
                  <webApplication id="static" location="static.war" contextRoot="/static"/>
                </server>
                """);
        // -Dbench.jfr=<file>: the server records a JFR profile of the whole run there.
        String jfr = System.getProperty("bench.jfr");
        server.start(jfr == null ? "" : "-XX:StartFlightRecording=filename=" + jfr + ",settings=profile");
        try {
            assertEquals(201, server.send("PUT", "/cairn/api/objects/bench/small", small).statusCode());
            assertEquals(201, server.send("PUT", "/cairn/api/objects/bench/large", large).statusCode());
            String auth = "Authorization: Basic " + Base64.getEncoder().encodeToString(("admin:" + server.password).getBytes(UTF_8));
            Path scripts = Files.createDirectories(data.resolve("wrk"));
            String base = "http://localhost:" + server.httpPort;

            List<String> rows = new ArrayList<>();
            for (String size : new String[] {"small", "large"}) {
                for (int c : new int[] {1, 16}) {
                    double[] cairn = new double[ROUNDS];
                    double[] file = new double[ROUNDS];
                    run(wrk, c, base + "/cairn/api/objects/bench/" + size, auth, null); // warm-up, not counted
                    run(wrk, c, base + "/static/" + size + ".bin", null, null);
                    for (int r = 0; r < ROUNDS; r++) {
                        cairn[r] = run(wrk, c, base + "/cairn/api/objects/bench/" + size, auth, null);
                        file[r] = run(wrk, c, base + "/static/" + size + ".bin", null, null);
                    }
                    rows.add(row("GET " + label(size) + ", " + c + " conn.", cairn, file, "static file"));
                }
            }
            for (String size : new String[] {"small", "large"}) {
                Path lua = scripts.resolve("put-" + size + ".lua");
                // Small values under new keys; 1 MiB ones replace one key, so the store's 1 GiB never fills.
                Files.writeString(lua, putScript(size.equals("small") ? 100 : 1 << 20, size.equals("small")), UTF_8);
                for (int c : new int[] {1, 16}) {
                    double[] cairn = new double[ROUNDS];
                    double[] engine = new double[ROUNDS];
                    run(wrk, c, base + "/cairn/api/objects/bench/put/" + size, auth, lua); // warm-up, not counted
                    for (int r = 0; r < ROUNDS; r++) {
                        cairn[r] = run(wrk, c, base + "/cairn/api/objects/bench/put/" + size, auth, lua);
                        engine[r] = engineCommits(data.resolve("engine-" + r + ".cairn"), c, size.equals("small") ? 100 : 1 << 20);
                    }
                    rows.add(row("durable PUT " + label(size) + ", " + c + " conn.", cairn, engine, "engine, " + c + " threads"));
                }
            }
            System.out.println();
            System.out.printf("HTTP API with wrk, medians of %d rounds of %d s (requests/s), against baselines in the same run%n",
                    ROUNDS, SECONDS);
            System.out.printf("  %-34s %12s %12s  %-22s %s%n", "workload", "Cairn", "baseline", "baseline is", "ratio");
            rows.forEach(System.out::println);
        } finally {
            server.stopAndRemoveAdded();
        }
    }

    private static String label(String size) {
        return size.equals("small") ? "100 B" : "1 MiB";
    }

    private static String row(String what, double[] cairn, double[] base, String baseline) {
        double c = median(cairn);
        double b = median(base);
        return String.format(Locale.ROOT, "  %-34s %12.0f %12.0f  %-22s %.2f", what, c, b, baseline, c / b);
    }

    /** wrk's requests per second for {@code url} at {@code connections}; fails when any request failed. */
    private static double run(String wrk, int connections, String url, String header, Path script) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(wrk, "-t", Integer.toString(Math.min(connections, 2)), "-c",
                Integer.toString(connections), "-d", SECONDS + "s", "--timeout", "30s"));
        if (header != null) {
            cmd.addAll(List.of("-H", header));
        }
        if (script != null) {
            cmd.addAll(List.of("-s", script.toString()));
        }
        cmd.add(url);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(SECONDS + 60L, TimeUnit.SECONDS) && p.exitValue() == 0, out);
        Matcher errors = ERRORS.matcher(out);
        assertTrue(!errors.find(), "requests failed: " + out);
        Matcher m = RATE.matcher(out);
        assertTrue(m.find(), out);
        return Double.parseDouble(m.group(1));
    }

    /** A wrk script that PUTs a value of {@code size} bytes, under a new key each request when {@code newKeys}. */
    private static String putScript(int size, boolean newKeys) {
        return """
                local n = 0
                wrk.method = "PUT"
                wrk.headers["Content-Type"] = "application/octet-stream"
                wrk.body = string.rep("v", %d)
                request = function()
                  n = n + 1
                  return wrk.format(nil, wrk.path .. (%s and ("/" .. n) or ""))
                end
                response = function(status, headers, body)
                  if status >= 300 then
                    io.write("failed: " .. status .. " " .. body .. "\\n")
                  end
                end
                """.formatted(size, newKeys);
    }

    /** The engine's durable single-put commits per second with {@code threads} committers, on this disk. */
    private static double engineCommits(Path file, int threads, int size) throws Exception {
        Files.deleteIfExists(file);
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(8L << 30).cacheBytes(64L << 20);
        AtomicLong commits = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        try (Store s = Store.create(file, cfg)) {
            List<Thread> ts = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int id = i;
                Thread t = new Thread(() -> {
                    byte[] v = bytes(size, id);
                    long n = 0;
                    while (!stop.get()) {
                        try (Txn txn = s.begin()) {
                            // as the HTTP PUTs: small values under new keys, 1 MiB ones replacing one
                            txn.put(("engine/" + id + (size > 1000 ? "" : "/" + n++)).getBytes(UTF_8), v);
                            txn.commit();
                        }
                        commits.incrementAndGet();
                    }
                });
                t.start();
                ts.add(t);
            }
            long t0 = System.nanoTime();
            Thread.sleep(SECONDS * 1000L);
            stop.set(true);
            long n = commits.get();
            double secs = (System.nanoTime() - t0) / 1e9;
            for (Thread t : ts) {
                t.join();
            }
            return n / secs;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** wrk on the PATH, installed from Debian's packages when missing and this runs as root. */
    private static String ensureWrk() throws Exception {
        for (String dir : System.getenv("PATH").split(":")) {
            if (Files.isExecutable(Path.of(dir, "wrk"))) {
                return Path.of(dir, "wrk").toString();
            }
        }
        Process p = new ProcessBuilder("sh", "-c", "apt-get install -y wrk || (apt-get update && apt-get install -y wrk)")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("wrk is not installed and apt-get could not install it"
                    + " (install Debian's package wrk, as root): " + out);
        }
        return "wrk";
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static double median(double[] xs) {
        double[] c = xs.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
