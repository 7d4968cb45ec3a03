package dev.cairn.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Changes as events, on a real Liberty: an application of its own (a WAR
 * built here) with a message-driven bean implementing
 * {@code CairnChangeListener}, activated through the server's adapter, is
 * given every committed change under its key prefix in commit order, in a
 * container-managed transaction that also writes through {@code eis/cairn};
 * a delivery that throws comes again; a kill -9 of the server mid-delivery
 * loses no change after the restart.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EventsIT {

    private static LibertyProcess server;

    @BeforeAll
    static void start() throws Exception {
        Path data = Path.of(System.getProperty("crash.data.dir")).resolve("events-" + Long.toString(System.nanoTime(), 36));
        Files.createDirectories(data);
        server = new LibertyProcess(data.resolve("cairn.store"));
        server.deploy();
        WebArchive war = ShrinkWrap.create(WebArchive.class, "events.war").addClasses(ChangeRecorderBean.class, PlainRecorderBean.class,
                EventsServlet.class);
        server.addApp(war);
        server.addOverride("events-it.xml", """
                <server>
                  <featureManager>
                    <feature>mdb-4.0</feature>
                  </featureManager>
                  <webApplication id="events" location="events.war" contextRoot="/events">
                    <classloader classProviderRef="cairnAdapter"/>
                  </webApplication>
                  <!-- The bean's own activation config names its keys; this ties it to Cairn's adapter. -->
                  <activationSpec id="events/ChangeRecorderBean">
                    <properties.cairnAdapter/>
                  </activationSpec>
                  <activationSpec id="events/PlainRecorderBean">
                    <properties.cairnAdapter/>
                  </activationSpec>
                </server>
                """);
        server.start("");
    }

    @AfterAll
    static void stop() throws Exception {
        if (server == null) {
            return;
        }
        server.stopAndRemoveAdded(); // the crash tests share this server: leave it as they expect it
    }

    private static void put(String key, String value) throws Exception {
        int code = server.send("PUT", "/cairn/api/objects/" + key, value.getBytes(UTF_8)).statusCode();
        assertTrue(code == 201 || code == 204, "PUT " + key + ": " + code);
    }

    private static void delete(String key) throws Exception {
        assertEquals(204, server.send("DELETE", "/cairn/api/objects/" + key, null).statusCode(), "DELETE " + key);
    }

    private static List<String> lines(String op) throws Exception {
        HttpResponse<byte[]> r = server.send("GET", "/events/events?op=" + op, null);
        String body = new String(r.body(), UTF_8);
        assertEquals(200, r.statusCode(), body);
        return body.isEmpty() ? List.of() : Arrays.asList(body.split("\n"));
    }

    /** Polls {@code op} until {@code done} holds (60 s at most); returns the last answer. */
    private static List<String> await(String op, Predicate<List<String>> done) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        List<String> got = lines(op);
        while (!done.test(got) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            got = lines(op);
        }
        return got;
    }

    @Test
    @Order(1)
    void theBeanIsGivenEveryChangeUnderItsPrefixInCommitOrderAndAFailedDeliveryComesAgain() throws Exception {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            put("events/order/" + i, "v" + i);
            expected.add("PUT events/order/" + i);
            if (i == 4) {
                put("elsewhere/" + i, "not under the prefix");
                put("events/order/poison", "fails once");
                expected.add("PUT events/order/poison");
                delete("events/order/2");
                expected.add("DELETE events/order/2");
            }
        }
        List<String> received = await("received", l -> l.stream().filter(s -> s.contains("events/order/")).count() >= expected.size() + 1);
        List<String> order = new ArrayList<>();
        long last = 0;
        for (String line : received) {
            if (!line.contains("events/order/")) {
                continue;
            }
            String[] f = line.split(" ");
            long position = Long.parseLong(f[0]);
            boolean again = line.endsWith(" redelivered");
            if (again) {
                assertEquals(last, position, "a redelivery is of the event that failed, before any later one: " + received);
                assertTrue(line.contains("poison"), line);
                continue;
            }
            assertTrue(position > last, "positions rise in delivery order: " + received);
            last = position;
            order.add(f[1] + " " + f[2]);
        }
        assertEquals(expected, order, "every change under events/, in commit order, nothing else");
        assertFalse(received.stream().anyMatch(l -> l.contains("elsewhere/")), "a key outside the prefix is not delivered");
        assertEquals(1, received.stream().filter(l -> l.contains("poison") && l.endsWith("redelivered")).count(), received.toString());

        List<String> seen = await("seen", l -> l.stream().filter(s -> s.contains("events/order/")).count() >= expected.size());
        assertTrue(seen.contains("PUT events/order/poison 10"), "the retry's transaction committed the bean's write: " + seen);
        assertTrue(seen.contains("DELETE events/order/2 -1"), seen.toString());
        assertFalse(seen.stream().anyMatch(l -> l.startsWith("dups=") && !l.equals("dups=0")), "no duplicates without a crash: " + seen);

        // The console's view: the store's MBean lists the subscription with its counts.
        String query = "/IBMJMXConnectorREST/mbeans?objectName=" + URLEncoder.encode("dev.cairn:type=Store,*", UTF_8);
        Matcher url = Pattern.compile("\"URL\":\"([^\"]+)\"").matcher(server.getHttps(query).body());
        assertTrue(url.find());
        HttpResponse<String> subs = server.getHttps(url.group(1).replace("\\/", "/") + "/attributes/ChangeSubscriptions");
        assertEquals(200, subs.statusCode(), subs.body());
        assertTrue(subs.body().contains("ChangeRecorderBean") && subs.body().contains("active")
                && subs.body().contains("keys \\\"events/\\\"") && subs.body().contains("failed 1")
                && subs.body().contains("redelivered 1"), subs.body());
    }

    @Test
    @Order(2)
    void aBeanWithoutATransactionIsGivenItsOwnPrefixUnderItsOwnSubscription() throws Exception {
        put("plain/a", "1");
        put("events/not-plain", "2");
        delete("plain/a");
        put("plain/b", "333");
        List<String> got = await("plain", l -> l.size() >= 3);
        assertEquals(3, got.size(), got.toString());
        assertTrue(got.get(0).endsWith("PUT plain/a") && got.get(1).endsWith("DELETE plain/a") && got.get(2).endsWith("PUT plain/b"),
                got.toString());
        String query = "/IBMJMXConnectorREST/mbeans?objectName=" + URLEncoder.encode("dev.cairn:type=Store,*", UTF_8);
        Matcher url = Pattern.compile("\"URL\":\"([^\"]+)\"").matcher(server.getHttps(query).body());
        assertTrue(url.find());
        String subs = server.getHttps(url.group(1).replace("\\/", "/") + "/attributes/ChangeSubscriptions").body();
        assertTrue(subs.contains("plain-recorder: active"), subs);
        // Its own MBean, and its figures as metrics tagged with store and subscription.
        String mine = "/IBMJMXConnectorREST/mbeans?objectName="
                + URLEncoder.encode("dev.cairn:type=ChangeSubscription,name=\"plain-recorder\",*", UTF_8);
        Matcher sub = Pattern.compile("\"URL\":\"([^\"]+)\"").matcher(server.getHttps(mine).body());
        assertTrue(sub.find(), "the subscription's MBean is registered");
        HttpResponse<String> delivered = server.getHttps(sub.group(1).replace("\\/", "/") + "/attributes/Delivered");
        assertTrue(delivered.body().contains("\"value\":\"3\""), delivered.body());
        Pattern gauge = Pattern.compile("(?m)^cairn_subscription_Delivered\\{[^}]*subscription=\"plain-recorder\"[^}]*\\} ([0-9.E]+)");
        long deadline = System.nanoTime() + 20_000_000_000L;
        String metrics = "";
        // The first scrape of a server may answer 500 (see AdministrationIT): ask until the gauge is there.
        while (System.nanoTime() < deadline) {
            HttpResponse<String> m = server.getHttps("/metrics?scope=application");
            metrics = m.body();
            Matcher g = gauge.matcher(metrics);
            if (m.statusCode() == 200 && g.find()) {
                assertEquals(3.0, Double.parseDouble(g.group(1)), 0.0, g.group());
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no cairn_subscription_Delivered gauge for plain-recorder: " + metrics);
    }

    @Test
    @Order(3)
    void aKillMidDeliveryLosesNoChangeAfterTheRestart() throws Exception {
        int n = 150;
        assertEquals(List.of("committed " + n), lines("putMany&prefix=events/slow/&n=" + n), "one commit of " + n + " puts");
        // Kill while the bean is part-way through: it takes 20 ms an event under slow/.
        List<String> before = await("seen", l -> l.stream().filter(s -> s.contains("events/slow/")).count() >= 20);
        long seenBefore = before.stream().filter(s -> s.contains("events/slow/")).count();
        server.kill9();
        assertTrue(seenBefore < n, "killed before the bean had handled all " + n + " (" + seenBefore + ")");

        server.start("");
        List<String> after = await("seen", l -> l.stream().filter(s -> s.contains("events/slow/")).count() >= n);
        Set<String> keys = new HashSet<>();
        for (String line : after) {
            if (line.contains("events/slow/")) {
                keys.add(line.split(" ")[1]);
            }
        }
        Set<String> missing = new HashSet<>();
        for (int i = 0; i < n; i++) {
            if (!keys.contains("events/slow/" + i)) {
                missing.add("events/slow/" + i);
            }
        }
        assertEquals(Set.of(), missing, "every change committed before the kill is delivered after the restart");
        String dups = after.get(after.size() - 1);
        System.out.println("events after kill -9: " + seenBefore + " of " + n + " handled before it, " + dups);
    }

    /**
     * Killed inside a delivery's two-phase commit, after the transaction
     * manager logged its decision (the xa-commit fail point stops Cairn's
     * branch there): after the restart, recovery commits the bean's write,
     * closes the logged transaction for good (the adapter gives recovery
     * its acknowledgement resource, which has nothing in doubt: without one
     * the manager keeps the transaction and retries it at every start), and
     * the event is delivered or acknowledged, never lost; a repeat is
     * counted as a duplicate.
     */
    @Test
    @Order(4)
    void aKillInsideADeliverysCommitIsRecoveredAndLeavesNoTransactionInDoubt() throws Exception {
        server.stop();
        server.start("-Dcairn.failpoint=xa-commit");
        put("events/indoubt/1", "in doubt");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!server.logged("CAIRN-FAILPOINT xa-commit reached") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(server.logged("CAIRN-FAILPOINT xa-commit reached"), "the delivery's commit reached the fail point");
        server.kill9();

        server.start("");
        List<String> seen = await("seen", l -> l.stream().anyMatch(s -> s.contains("events/indoubt/1")));
        assertTrue(seen.contains("PUT events/indoubt/1 8"), "recovery committed the bean's write, or it was delivered again: " + seen);
        String stats = new String(server.send("GET", "/cairn/api/admin/stats", null).body(), UTF_8);
        long settle = System.nanoTime() + 30_000_000_000L;
        while (!stats.contains("\"prepared\":0") && System.nanoTime() < settle) {
            Thread.sleep(200);
            stats = new String(server.send("GET", "/cairn/api/admin/stats", null).body(), UTF_8);
        }
        assertTrue(stats.contains("\"prepared\":0"), "no Cairn branch left prepared: " + stats);
        System.out.println("events after a kill inside a delivery's commit: " + seen.get(seen.size() - 1));

        server.stop();
        server.start("");
        assertTrue(server.logged("WTRN0135I"), "the next start has no transaction to recover (WTRN0135I): "
                + server.logSince(0).lines().filter(l -> l.contains("WTRN")).toList());
    }
}
