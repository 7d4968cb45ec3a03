package dev.cairn.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.cairn.api.CairnConnection;
import dev.cairn.api.CairnConnectionFactory;
import jakarta.annotation.Resource;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.transaction.UserTransaction;
import java.io.IOException;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Deployed only in the crash tests' server: POST writes a key to Derby and
 * to Cairn in one JTA transaction (Derby enlisted first); GET reports what
 * each resource holds for the key and how many Cairn branches are in doubt,
 * as {@code derby=<value|null> cairn=<value|null> prepared=<n>}; the values
 * include the outcome of every branch the count no longer includes.
 */
@WebServlet("/xa")
public class XaDriverServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Resource(lookup = "eis/cairn")
    private CairnConnectionFactory cairn;
    @Resource(lookup = "jdbc/derbyIT")
    private DataSource derby;
    @Resource
    private UserTransaction utx;

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String key = req.getParameter("key");
        try {
            DerbyRows rows = new DerbyRows(derby);
            rows.createTable();
            utx.begin();
            rows.insert(key, "v-" + key);
            try (CairnConnection c = cairn.getConnection()) {
                c.put(key, ("v-" + key).getBytes(UTF_8));
            }
            utx.commit();
        } catch (Exception e) {
            throw new IOException(e);
        }
        resp.getWriter().print("committed");
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String key = req.getParameter("key");
        try {
            DerbyRows rows = new DerbyRows(derby);
            rows.createTable();
            // The in-doubt count first: recovery may complete the branch while this runs. A branch's
            // outcome leaves the count when it is applied, and a reader sees it once a sync made it
            // durable; the sync in between makes the value read below include every outcome counted.
            // (A read-only store applies nothing more, and cannot sync.)
            Map<String, Long> figures = cairn.statistics();
            Object prepared = figures.get("prepared");
            if (figures.get("readOnly") == 0L) {
                cairn.sync();
            }
            byte[] v;
            try (CairnConnection c = cairn.getConnection()) {
                v = c.get(key);
            }
            resp.getWriter().print("derby=" + rows.value(key) + " cairn=" + (v == null ? null : new String(v, UTF_8))
                    + " prepared=" + prepared);
        } catch (Exception e) {
            throw new IOException(e);
        }
    }
}
