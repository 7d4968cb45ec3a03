package dev.cairn.web;

import dev.cairn.ejb.ObjectStore;
import jakarta.ejb.EJB;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** {@code /api/admin/stats}: the engine's figures as JSON. */
@WebServlet("/api/admin/*")
public class AdminServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @EJB
    private ObjectStore store;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!"/stats".equals(req.getPathInfo())) {
            JsonResponses.error(resp, 404, "not_found", "no admin resource at " + req.getRequestURI());
            return;
        }
        try {
            JsonObjectBuilder body = Json.createObjectBuilder();
            store.statistics().forEach(body::add);
            JsonResponses.send(resp, 200, body.build());
        } catch (RuntimeException e) {
            ErrorMapping.send(resp, e);
        }
    }
}
