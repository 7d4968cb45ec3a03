package dev.cairn.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.cairn.api.CairnConnection;
import dev.cairn.api.CairnConnectionFactory;
import dev.cairn.api.CairnStoreMXBean;
import dev.cairn.api.WriteConflictException;
import jakarta.annotation.Resource;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.transaction.UserTransaction;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * An application that is not part of Cairn: its own WAR, deployed next to
 * Cairn's EAR, reaching the server's store through {@code eis/cairn} as any
 * enterprise application would (SharingIT deploys it twice, as two
 * applications). It sees Cairn's client API through its class loader's
 * reference to the adapter, and carries no copy of it.
 *
 * <p>{@code GET /app?op=…}, answered in text: {@code put} (key, value,
 * optional store and row=false), {@code get} (key, optional store),
 * {@code row} (key), {@code race} (key, value, other), {@code stores},
 * {@code ejb}.
 */
@WebServlet("/app")
public class ClientAppServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Resource(lookup = "eis/cairn")
    private CairnConnectionFactory cairn;

    @Resource(lookup = "jdbc/derbyIT")
    private DataSource derby;

    @Resource
    private UserTransaction utx;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain;charset=UTF-8");
        String key = req.getParameter("key");
        try {
            DerbyRows rows = new DerbyRows(derby);
            rows.createTable();
            String answer = switch (req.getParameter("op")) {
                case "put" -> put(store(req), key, req.getParameter("value"), !"false".equals(req.getParameter("row")), rows);
                case "get" -> get(store(req), key);
                case "row" -> rows.value(key);
                case "race" -> race(key, req.getParameter("value"), req.getParameter("other"), req, rows);
                case "stores" -> stores();
                case "ejb" -> callCairnsEjb(key);
                default -> throw new IllegalArgumentException("no op " + req.getParameter("op"));
            };
            if (answer == null) {
                resp.sendError(404, "no " + key);
                return;
            }
            resp.getWriter().print(answer);
        } catch (Exception e) {
            log("client application op failed", e);
            resp.setStatus(500);
            resp.getWriter().print(e.getClass().getName() + ": " + e.getMessage());
        }
    }

    private CairnConnectionFactory store(HttpServletRequest req) throws NamingException {
        String name = req.getParameter("store");
        return name == null ? cairn : (CairnConnectionFactory) new InitialContext().lookup(name);
    }

    /** Writes {@code key} and (unless {@code row} is false) a Derby row of it in one JTA transaction. */
    private String put(CairnConnectionFactory store, String key, String value, boolean row, DerbyRows rows) throws Exception {
        utx.begin();
        try (CairnConnection c = store.getConnection()) {
            c.put(key, value.getBytes(UTF_8));
        }
        if (row) {
            rows.insert(key, value);
        }
        utx.commit();
        return "committed";
    }

    private static String get(CairnConnectionFactory store, String key) {
        try (CairnConnection c = store.getConnection()) {
            byte[] v = c.get(key);
            return v == null ? null : new String(v, UTF_8);
        }
    }

    /**
     * Reads {@code key} in a JTA transaction with a Derby row, lets the other
     * application ({@code other}, a context root) commit the same key, then
     * writes it: the write fails with {@link WriteConflictException}, caught by
     * its type here; the transaction rolls back (the row with it), and a retry
     * commits. Answers what each attempt saw.
     */
    private String race(String key, String value, String other, HttpServletRequest req, DerbyRows rows) throws Exception {
        StringBuilder out = new StringBuilder();
        for (int attempt = 1; attempt <= 2; attempt++) {
            utx.begin();
            try {
                rows.insert(key, value);
                try (CairnConnection c = cairn.getConnection()) {
                    String seen = c.get(key) == null ? "absent" : "present";
                    if (attempt == 1) {
                        String theirs = otherApp(req, other + "/app?op=put&row=false&key=" + key + "&value=" + other.substring(1));
                        out.append("other=").append(theirs).append('\n');
                    }
                    c.put(key, value.getBytes(UTF_8));
                    out.append("attempt").append(attempt).append("=read ").append(seen).append(", wrote\n");
                }
                utx.commit();
                out.append("committed on attempt ").append(attempt).append('\n');
                return out.toString();
            } catch (WriteConflictException e) {
                utx.rollback();
                out.append("attempt").append(attempt).append('=').append(e.getClass().getName()).append('\n');
            }
        }
        return out.append("never committed").toString();
    }

    private static String otherApp(HttpServletRequest req, String path) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + req.getLocalPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    /** Each store the adapter has open in this server: its MBean's name and key count. */
    private static String stores() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Map<String, Long> keys = new TreeMap<>();
        for (ObjectName n : server.queryNames(new ObjectName("dev.cairn:type=Store,*"), null)) {
            keys.put(n.getKeyProperty("name"), JMX.newMXBeanProxy(server, n, CairnStoreMXBean.class).getKeys());
        }
        return keys.toString();
    }

    /** Tries to write through Cairn's own EJB from outside Cairn's application: answers what was thrown. */
    private static String callCairnsEjb(String key) throws Exception {
        Object bean = new InitialContext().lookup("java:global/cairn/cairn-ejb/ObjectStore");
        try {
            bean.getClass().getMethod("put", byte[].class, byte[].class).invoke(bean, key.getBytes(UTF_8), "ejb".getBytes(UTF_8));
            return "written";
        } catch (InvocationTargetException e) {
            return "refused: " + e.getCause().getClass().getName();
        }
    }
}
