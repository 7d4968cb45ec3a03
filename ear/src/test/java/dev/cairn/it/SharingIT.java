package dev.cairn.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cairn as a resource of the server: two applications that are not part of
 * Cairn's EAR — each its own WAR, built here — deployed next to it in one real
 * Liberty server, reach the store of the server's adapter through
 * {@code @Resource(lookup = "eis/cairn")}, with JTA and a Derby table; a
 * second connection factory serves a second store file. The applications
 * carry no copy of Cairn's classes: they see the adapter's client API through
 * their class loader's {@code classProviderRef}, as the README tells a user
 * to configure it.
 */
class SharingIT {

    private static LibertyProcess server;
    private static final String RUN = Long.toString(System.nanoTime(), 36);

    @BeforeAll
    static void start() throws Exception {
        Path data = Path.of(System.getProperty("crash.data.dir")).resolve("sharing-" + RUN);
        Files.createDirectories(data);
        server = new LibertyProcess(data.resolve("cairn.store"));
        server.deploy();
        for (String app : new String[] {"shop", "ledger"}) {
            WebArchive war = ShrinkWrap.create(WebArchive.class, app + ".war").addClasses(ClientAppServlet.class, DerbyRows.class);
            assertFalse(war.getContent().keySet().stream().anyMatch(p -> p.get().contains("dev/cairn/api")),
                    "the application must not carry Cairn's API: it would not be the adapter's");
            server.addApp(war);
        }
        server.addOverride("sharing-it.xml", """
                <server>
                  <webApplication id="shop" location="shop.war" contextRoot="/shop">
                    <classloader classProviderRef="cairnAdapter"/>
                  </webApplication>
                  <webApplication id="ledger" location="ledger.war" contextRoot="/ledger">
                    <classloader classProviderRef="cairnAdapter"/>
                  </webApplication>
                  <connectionFactory id="cairnArchive" jndiName="eis/cairn-archive">
                    <properties.cairnAdapter storePath="%s"/>
                  </connectionFactory>
                </server>
                """.formatted(data.resolve("archive.store")));
        server.start("");
    }

    @AfterAll
    static void stop() throws Exception {
        if (server == null) {
            return;
        }
        server.stopAndRemoveAdded(); // the crash tests share this server: leave it as they expect it
    }

    private static HttpResponse<byte[]> app(String app, String query) throws Exception {
        return server.send("GET", "/" + app + "/app?" + query, null);
    }

    private static String ok(HttpResponse<byte[]> r) {
        String body = new String(r.body(), UTF_8);
        assertEquals(200, r.statusCode(), body);
        return body;
    }

    private static String q(String s) {
        return URLEncoder.encode(s, UTF_8);
    }

    @Test
    void aSeparateApplicationWritesInAJtaTransactionWithDerbyAndTheHttpApiReadsIt() throws Exception {
        String key = "shared/" + RUN + "/from-shop";
        assertEquals("committed", ok(app("shop", "op=put&key=" + q(key) + "&value=shop-value")));

        assertEquals("shop-value", ok(server.send("GET", "/cairn/api/objects/" + key, null)).strip(), "Cairn's HTTP API reads it");
        assertEquals("shop-value", ok(app("shop", "op=row&key=" + q(key))), "the Derby row committed with it");
        assertEquals("shop-value", ok(app("ledger", "op=get&key=" + q(key))), "a second application sees the same store");
    }

    @Test
    void aValueWrittenThroughTheHttpApiIsReadByEachApplicationAndTheirsByIt() throws Exception {
        String key = "shared/" + RUN + "/from-http";
        assertEquals(201, server.send("PUT", "/cairn/api/objects/" + key, "http-value".getBytes(UTF_8)).statusCode());
        assertEquals("http-value", ok(app("shop", "op=get&key=" + q(key))));
        assertEquals("http-value", ok(app("ledger", "op=get&key=" + q(key))));

        String theirs = "shared/" + RUN + "/from-ledger";
        assertEquals("committed", ok(app("ledger", "op=put&row=false&key=" + q(theirs) + "&value=ledger-value")));
        assertEquals("ledger-value", ok(server.send("GET", "/cairn/api/objects/" + theirs, null)));
        assertEquals("ledger-value", ok(app("shop", "op=get&key=" + q(theirs))));
    }

    @Test
    void theLoserOfTwoApplicationsWritingOneKeyCatchesWriteConflictRollsBackAndItsRetryCommits() throws Exception {
        String key = "shared/" + RUN + "/race";
        String report = ok(app("shop", "op=race&key=" + q(key) + "&value=shop&other=/ledger"));

        assertTrue(report.contains("other=200 committed"), report);
        assertTrue(report.contains("attempt1=dev.cairn.api.WriteConflictException"), "caught by its type in the application: " + report);
        assertTrue(report.contains("attempt2=read present, wrote") && report.contains("committed on attempt 2"), report);
        assertEquals("shop", ok(server.send("GET", "/cairn/api/objects/" + key, null)), "the retry's value is the store's");
        // The first attempt inserted the same Derby key before its conflict: had
        // its transaction not rolled back, the retry's insert would have failed.
        assertEquals("shop", ok(app("shop", "op=row&key=" + q(key))));
    }

    @Test
    void twoConnectionFactoriesServeTwoStoresThatDoNotSeeEachOthersKeys() throws Exception {
        String key = "archive/" + RUN + "/only-here";
        assertEquals("committed", ok(app("shop", "op=put&row=false&store=eis/cairn-archive&key=" + q(key) + "&value=archived")));

        assertEquals("archived", ok(app("ledger", "op=get&store=eis/cairn-archive&key=" + q(key))));
        assertEquals(404, app("ledger", "op=get&key=" + q(key)).statusCode(), "eis/cairn does not see the archive's key");
        assertEquals(404, server.send("GET", "/cairn/api/objects/" + key, null).statusCode(), "nor does Cairn's HTTP API");

        String stores = ok(app("shop", "op=stores"));
        assertTrue(stores.contains("archive.store") && stores.contains("cairn.store"), "each store has its own MBean: " + stores);

        String ready = new String(server.send("GET", "/health/ready", null).body(), UTF_8);
        assertTrue(ready.contains("\"cairn-adapter-stores\"") && ready.contains("archive.store\":\"writable\"")
                && ready.contains("cairn.store\":\"writable\""), "readiness names each store: " + ready);

        // Liberty's first /metrics request may answer 500 (see AdministrationIT.awaitHttps): ask twice.
        server.getHttps("/metrics?scope=application");
        String metrics = server.getHttps("/metrics?scope=application").body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("cairn_store_Keys{") && l.contains("archive.store\"")
                && l.endsWith(" 1.0")), "the archive's one key is its own metric: " + metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("cairn_store_Keys{") && l.contains("/cairn.store\"")),
                "and the main store has its own: " + metrics);
    }

    @Test
    void anotherApplicationCannotWriteThroughCairnsOwnEjb() throws Exception {
        String key = "shared/" + RUN + "/through-ejb";
        // Anonymous: Liberty would otherwise authenticate the admin's credentials
        // for the unprotected application, and the call would run as the admin.
        assertEquals("refused: jakarta.ejb.EJBAccessException", ok(server.send("GET", "/shop/app?op=ejb&key=" + q(key), null, false)));
        assertEquals(404, server.send("GET", "/cairn/api/objects/" + key, null).statusCode(), "nothing was written");
    }
}
