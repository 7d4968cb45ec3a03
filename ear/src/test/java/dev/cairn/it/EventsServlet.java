package dev.cairn.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.cairn.api.CairnConnection;
import dev.cairn.api.CairnConnectionFactory;
import dev.cairn.api.ObjectInfo;
import jakarta.annotation.Resource;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.transaction.UserTransaction;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * EventsIT's window into the events application: {@code ?op=received}
 * lists what {@link ChangeRecorderBean} was given in this server's life,
 * one per line ({@code ?op=plain}: {@link PlainRecorderBean}); {@code ?op=seen} the values of its {@code seen/} keys and
 * then {@code dups=N}; {@code ?op=putMany&prefix=P&n=N} puts keys P0…P(N-1)
 * in one transaction (one commit).
 */
@WebServlet("/events")
public class EventsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Resource(lookup = "eis/cairn")
    private CairnConnectionFactory cairn;

    @Resource
    private UserTransaction utx;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain;charset=UTF-8");
        StringBuilder out = new StringBuilder();
        if ("putMany".equals(req.getParameter("op"))) {
            String prefix = req.getParameter("prefix");
            int n = Integer.parseInt(req.getParameter("n"));
            try {
                utx.begin();
                try (CairnConnection c = cairn.getConnection()) {
                    for (int i = 0; i < n; i++) {
                        c.put((prefix + i).getBytes(UTF_8), ("value " + i).getBytes(UTF_8));
                    }
                }
                utx.commit();
            } catch (Exception e) {
                throw new IOException("putMany failed: " + e, e);
            }
            out.append("committed ").append(n).append('\n');
        } else if ("received".equals(req.getParameter("op")) || "plain".equals(req.getParameter("op"))) {
            List<String> received = "plain".equals(req.getParameter("op")) ? PlainRecorderBean.RECEIVED : ChangeRecorderBean.RECEIVED;
            synchronized (received) {
                received.forEach(l -> out.append(l).append('\n'));
            }
        } else {
            try (CairnConnection c = cairn.getConnection()) {
                for (ObjectInfo o : all(c, "seen/")) {
                    out.append(new String(c.get(o.key()), UTF_8)).append('\n');
                }
                out.append("dups=").append(all(c, "dup/").size()).append('\n');
            }
        }
        resp.getWriter().write(out.toString());
    }

    private static List<ObjectInfo> all(CairnConnection c, String prefix) {
        List<ObjectInfo> out = new ArrayList<>();
        byte[] after = null;
        while (true) {
            List<ObjectInfo> page = c.list(prefix.getBytes(UTF_8), after, 1000);
            out.addAll(page);
            if (page.size() < 1000) {
                return out;
            }
            after = page.get(page.size() - 1).key();
        }
    }
}
