package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * What an administrator sees: the admin HTTP operations, the store's MBean
 * through Liberty's REST JMX connector, MicroProfile Metrics, Admin Center,
 * and the admin page in a real headless Chromium.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class AdministrationIT {

    @Deployment(testable = false)
    static EnterpriseArchive ear() {
        return Deployments.shippedEar();
    }

    @ArquillianResource
    URL base;

    private static final String PASSWORD = System.getenv("CAIRN_ADMIN_PASSWORD");

    /** The test server's own self-signed certificate is the only one this client meets. */
    private static final HttpClient HTTPS = trustingClient();

    private static HttpClient trustingClient() {
        try {
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, new TrustManager[] {new X509TrustManager() {
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
            return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1) // see HttpApiIT.HTTP
                    .sslContext(ssl).connectTimeout(Duration.ofSeconds(10)).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * HTTPS opens once Liberty has created its keystore, which on a fresh
     * server can come after the application is deployed.
     */
    @org.junit.jupiter.api.BeforeAll
    static void awaitHttps() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            try {
                send("GET", https("/health/ready"), null, null);
                break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the test server's HTTPS port never opened", e);
                }
                Thread.sleep(250);
            }
        }
        // Liberty 26.0.0.3's /metrics servlet calls getSession() on the first
        // request it serves, unguarded, and answers 500 when that throws
        // IllegalStateException ("called on an invalidated session"; Open
        // Liberty issue 35488, guarded upstream after 26.0.0.3, the newest
        // runtime on Maven Central here). It does so on that one request only,
        // so the server's first scrape is made here and may fail; the tests'
        // own requests to /metrics must then succeed.
        send("GET", https("/metrics?scope=application"), "admin", null);
    }

    private String app(String path) {
        return base.toString().replaceAll("/$", "") + path;
    }

    private static String https(String path) {
        return "https://localhost:" + System.getenv("CAIRN_HTTPS_PORT") + path;
    }

    private static HttpResponse<String> send(String method, String url, String user, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null || method.equals("POST")) {
            b.header("Content-Type", "application/json"); // Cairn's POSTs need it: see JsonResponses.requireJson
        }
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
        }
        return HTTPS.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
        assertTrue(m.find(), field + " in " + json);
        return Long.parseLong(m.group(1));
    }

    @Test
    void syncCheckAndCompressOverHttpAreForAdminsOnly() throws Exception {
        send("PUT", app("/api/objects/it/admin/probe"), "admin", "x");
        long before = number(send("GET", app("/api/admin/stats"), "admin", null).body(), "generation");
        HttpResponse<String> sync = send("POST", app("/api/admin/sync"), "admin", null);
        assertEquals(200, sync.statusCode(), sync.body());
        assertTrue(number(sync.body(), "generation") > before, sync.body());

        HttpResponse<String> check = send("POST", app("/api/admin/check"), "admin", null);
        assertEquals(200, check.statusCode(), check.body());
        assertTrue(check.body().contains("\"ok\":true") && check.body().contains("\"problems\":[]"), check.body());
        assertTrue(number(check.body(), "reachableBlocks") > 0, check.body());

        HttpResponse<String> compress = send("POST", app("/api/admin/compress"), "admin", null);
        assertEquals(200, compress.statusCode(), compress.body());
        assertTrue(number(send("GET", app("/api/admin/stats"), "admin", null).body(), "logCompressions") > 0);

        assertEquals(403, send("POST", app("/api/admin/sync"), "reader", null).statusCode());
        assertEquals(403, send("GET", app("/admin/"), "reader", null).statusCode());
        assertEquals(401, send("POST", app("/api/admin/check"), null, null).statusCode());
        assertEquals(404, send("POST", app("/api/admin/frobnicate"), "admin", null).statusCode());
    }

    /** All the values of {@code field} in {@code json}, in order. */
    private static List<Long> numbers(String json, String field) {
        List<Long> out = new ArrayList<>();
        Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
        while (m.find()) {
            out.add(Long.parseLong(m.group(1)));
        }
        return out;
    }

    /** The adapter samples the figures on its BootstrapContext timer (every second in the test server). */
    @Test
    void theServerKeepsAHistoryOfTheFiguresSampledOnTheAdaptersTimer() throws Exception {
        HttpResponse<String> first = send("GET", app("/api/admin/history"), "admin", null);
        assertEquals(200, first.statusCode(), first.body());
        assertEquals(1, number(first.body(), "intervalSeconds"), first.body());
        long committedBefore = number(send("GET", app("/api/admin/stats"), "admin", null).body(), "commits");
        for (int i = 0; i < 5; i++) {
            send("PUT", app("/api/objects/it/admin/history-" + i), "admin", "h" + i);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String body;
        List<Long> commits;
        do {
            Thread.sleep(500);
            body = send("GET", app("/api/admin/history"), "admin", null).body();
            commits = numbers(body, "commits");
        } while ((commits.isEmpty() || commits.get(commits.size() - 1) < committedBefore + 5) && System.nanoTime() < deadline);
        assertTrue(!commits.isEmpty() && commits.get(commits.size() - 1) >= committedBefore + 5,
                "a sample after the five commits shows them: " + body);
        List<Long> times = numbers(body, "time");
        assertEquals(times.size(), commits.size(), "every sample has the figures");
        assertTrue(times.size() >= 2, body);
        for (int i = 1; i < times.size(); i++) {
            assertTrue(times.get(i) > times.get(i - 1), "samples are in time order: " + times);
            assertTrue(commits.get(i) >= commits.get(i - 1), "commits never go back: " + commits);
        }
        assertTrue(times.size() <= 360, "at most the last 360 samples are kept");
        assertEquals(403, send("GET", app("/api/admin/history"), "reader", null).statusCode());
    }

    @Test
    void theStoreMBeanIsReadAndOperatedThroughLibertysRestJmxConnector() throws Exception {
        send("PUT", app("/api/objects/it/admin/jmx"), "admin", "x");
        String query = https("/IBMJMXConnectorREST/mbeans?objectName=" + URLEncoder.encode("dev.cairn:type=Store,*", StandardCharsets.UTF_8));
        assertEquals(401, send("GET", query, null, null).statusCode(), "administrators only");
        HttpResponse<String> found = send("GET", query, "admin", null);
        assertEquals(200, found.statusCode(), found.body());
        Matcher url = Pattern.compile("\"URL\":\"([^\"]+)\"").matcher(found.body());
        assertTrue(url.find(), "a Cairn store MBean in " + found.body());
        String mbean = url.group(1).replace("\\/", "/");

        HttpResponse<String> commits = send("GET", https(mbean + "/attributes/Commits"), "admin", null);
        assertEquals(200, commits.statusCode(), commits.body());
        Matcher value = Pattern.compile("\"value\":\"(\\d+)\"").matcher(commits.body());
        assertTrue(value.find() && Long.parseLong(value.group(1)) > 0, commits.body());
        HttpResponse<String> readers = send("GET", https(mbean + "/attributes/OldestReaderSeconds"), "admin", null);
        assertEquals(200, readers.statusCode(), readers.body());
        assertTrue(Pattern.compile("\"value\":\"\\d+\"").matcher(readers.body()).find(), readers.body());

        HttpResponse<String> check = send("POST", https(mbean + "/operations/check"), "admin", "{\"params\":[],\"signature\":[]}");
        assertEquals(200, check.statusCode(), check.body());
        assertTrue(check.body().contains("ok: "), check.body());
    }

    @Test
    void figuresAreMicroProfileMetricsAndAdminCenterIsServed() throws Exception {
        send("PUT", app("/api/objects/it/admin/metrics"), "admin", "x");
        // The gauges share one reading of the figures for a second
        // (StoreMetrics), and the first scrape (awaitHttps) may be that recent.
        Pattern commitsGauge = Pattern.compile("(?m)^cairn_commits\\{[^}]*\\} ([0-9.E]+)");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        HttpResponse<String> metrics;
        while (true) {
            metrics = send("GET", https("/metrics?scope=application"), "admin", null);
            assertEquals(200, metrics.statusCode(), metrics.body());
            Matcher commits = commitsGauge.matcher(metrics.body());
            assertTrue(commits.find(), metrics.body());
            if (Double.parseDouble(commits.group(1)) > 0) {
                break;
            }
            assertTrue(System.nanoTime() < deadline, "the commit gauge never counted the PUT: " + metrics.body());
            Thread.sleep(200);
        }
        assertTrue(metrics.body().contains("cairn_cacheHits"), metrics.body());
        assertTrue(metrics.body().contains("cairn_oldestReaderSeconds"), metrics.body());

        int adminCenter = send("GET", https("/adminCenter/"), null, null).statusCode();
        assertTrue(adminCenter == 200 || adminCenter == 302, "Admin Center answered " + adminCenter);
    }

    /**
     * Cairn in the server's console: a bookmark in Admin Center's tool catalog
     * and the administrator's toolbox (Admin Center's own REST API, as the
     * README's command adds it), whose page then opens with Admin Center's
     * login: the LTPA cookie of Admin Center's form login is all the admin
     * page and its operations need. The connection pool's figures are there
     * as Liberty's ConnectionPoolStats MBean.
     */
    @Test
    void cairnIsAToolOfAdminCenterAndOpensWithItsLogin() throws Exception {
        String catalog = https("/ibm/api/adminCenter/v1/catalog/bookmarks");
        String toolbox = https("/ibm/api/adminCenter/v1/toolbox/toolEntries");
        send("DELETE", catalog + "/Cairn", "admin", null); // left by an earlier build of this server
        send("DELETE", toolbox + "/Cairn", "admin", null);
        HttpResponse<String> added = send("POST", catalog, "admin",
                "{\"name\":\"Cairn\",\"url\":\"/cairn/admin/\",\"icon\":\"/cairn/admin/cairn.svg\","
                        + "\"description\":\"The Cairn store figures, alarms, sync, check, compress and snapshots\"}");
        assertEquals(201, added.statusCode(), added.body());
        assertEquals(201, send("POST", toolbox, "admin", "{\"id\":\"Cairn\",\"type\":\"bookmark\"}").statusCode());
        assertTrue(send("GET", https("/ibm/api/adminCenter/v1/toolbox"), "admin", null).body().contains("{\"id\":\"Cairn\",\"type\":\"bookmark\"}"));

        // Admin Center's form login, as a browser does it (its CSRF token comes in a cookie).
        CookieManager cookies = new CookieManager();
        HttpClient browser = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(HTTPS.sslContext())
                .cookieHandler(cookies).build();
        assertEquals(200, browser.send(HttpRequest.newBuilder(URI.create(https("/adminCenter/login.jsp"))).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        String csrf = cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("csrfToken"))
                .findFirst().orElseThrow(() -> new AssertionError("Admin Center set no csrfToken cookie")).getValue();
        String form = "j_username=admin&j_password=" + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8) + "&X-CSRF-Token=" + csrf;
        HttpResponse<Void> login = browser.send(HttpRequest.newBuilder(URI.create(https("/adminCenter/j_security_check")))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.discarding());
        assertEquals(302, login.statusCode(), "Admin Center's login");
        assertTrue(cookies.getCookieStore().getCookies().stream().anyMatch(c -> c.getName().equals("LtpaToken2")), "an LTPA cookie");

        for (String page : new String[] {"/cairn/admin/", "/cairn/api/admin/stats"}) {
            HttpResponse<String> r = browser.send(HttpRequest.newBuilder(URI.create(https(page))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), page + " with Admin Center's login alone: " + r.body());
        }
        HttpResponse<String> icon = browser.send(HttpRequest.newBuilder(URI.create(https("/cairn/admin/cairn.svg"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("image/svg+xml", icon.headers().firstValue("Content-Type").orElse(""));
        assertEquals(401, send("GET", https("/cairn/admin/"), null, null).statusCode(), "and nothing without a login");

        assertEquals(200, send("GET", app("/api/objects?limit=1"), "admin", null).statusCode()); // a pooled connection, at least one
        String pools = send("GET", https("/IBMJMXConnectorREST/mbeans?objectName="
                + URLEncoder.encode("WebSphere:type=ConnectionPoolStats,*", StandardCharsets.UTF_8)), "admin", null).body();
        assertTrue(pools.contains("WebSphere:type=ConnectionPoolStats,name=eis/cairn"), pools);
    }

    @Test
    void theAdminPageChartsTheFiguresInHeadlessChromium() throws Exception {
        ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium")
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--disable-dev-shm-usage",
                        "--user-data-dir=" + Files.createTempDirectory("cairn-chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        WebDriver browser = new ChromeDriver(service, options);
        try {
            URI page = URI.create(app("/admin/"));
            browser.get(page.getScheme() + "://admin:" + PASSWORD + "@" + page.getHost() + ":" + page.getPort() + page.getPath());
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            wait.until(d -> !d.findElements(By.id("figure-commits")).isEmpty());
            assertEquals("writable", browser.findElement(By.id("state")).getText());
            wait.until(d -> d.findElement(By.id("interval")).getText().equals("every 1 s")); // the charts draw the server's samples

            long before = number(send("GET", app("/api/admin/stats"), "admin", null).body(), "commits");
            // Load between the page's polls, so every chart has points to draw.
            for (int i = 0; i < 30; i++) {
                send("PUT", app("/api/objects/it/admin/page-" + i), "admin", "v" + i);
                send("GET", app("/api/objects/it/admin/page-" + (i / 2)), "admin", null);
                Thread.sleep(150);
            }
            wait.until(d -> points(d, "hitRatio") >= 2 && points(d, "syncLatency") >= 2 && points(d, "arenas") >= 1);
            // The page polls once a second: it catches up with the load's commits, and never shows more than there are.
            wait.until(d -> shownCommits(d) >= before + 30);
            long now = number(send("GET", app("/api/admin/stats"), "admin", null).body(), "commits");
            assertTrue(shownCommits(browser) <= now, "the page shows " + shownCommits(browser) + " commits, the API " + now);
            assertTrue(drawn(browser, "syncLatency") && drawn(browser, "arenas"), "the charts have pixels");

            browser.findElement(By.id("check")).click();
            wait.until(d -> d.findElement(By.id("result")).getText().contains("\"ok\": true"));
        } finally {
            browser.quit();
        }
    }

    /**
     * The commits the figures table shows, read in one script: the page
     * replaces the table's rows at every poll, so an element found in one
     * call may be gone (stale) by the next that reads its text.
     */
    private static long shownCommits(WebDriver d) {
        Object text = ((org.openqa.selenium.JavascriptExecutor) d).executeScript(
                "const e = document.querySelector('#figure-commits td.value'); return e ? e.textContent : null;");
        if (text == null) {
            throw new org.openqa.selenium.NoSuchElementException("no commits figure shown");
        }
        return Long.parseLong((String) text);
    }

    private static long points(WebDriver d, String canvas) {
        String p = d.findElement(By.id(canvas)).getDomAttribute("data-points");
        return p == null ? 0 : Long.parseLong(p);
    }

    /** Whether the canvas has any pixel that is not transparent. */
    private static boolean drawn(WebDriver d, String canvas) {
        Object r = ((org.openqa.selenium.JavascriptExecutor) d).executeScript(
                "const c = document.getElementById(arguments[0]);"
                        + "const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                        + "for (let i = 3; i < px.length; i += 4) { if (px[i] !== 0) return true; } return false;", canvas);
        return Boolean.TRUE.equals(r);
    }
}
