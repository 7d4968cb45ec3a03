package dev.cairn.web;

import dev.cairn.ejb.ObjectStore;
import jakarta.ejb.EJB;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import dev.cairn.api.ObjectInfo;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.io.InputStream;

/**
 * {@code /api/objects/{key}}: PUT stores the body, GET (and HEAD) returns it,
 * DELETE removes it. A PUT is answered only after its commit is durable.
 * Bodies stream both ways, one block at a time: an object's size is bounded
 * by the store, not by the server's memory.
 */
@WebServlet(urlPatterns = {"/api/objects", "/api/objects/*"})
public class ObjectsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @EJB
    private ObjectStore store;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (req.getPathInfo() == null) {
            list(req, resp);
            return;
        }
        InputStream value;
        try {
            value = store.getStream(ObjectKeys.from(req));
        } catch (RuntimeException e) {
            ErrorMapping.send(resp, e);
            return;
        }
        if (value == null) {
            JsonResponses.error(resp, 404, "not_found", "no object under that key");
            return;
        }
        try (InputStream in = value) {
            resp.setStatus(200);
            resp.setContentType("application/octet-stream");
            in.transferTo(resp.getOutputStream()); // one block at a time, never the whole value
        } catch (RuntimeException e) {
            ErrorMapping.send(resp, e); // only reaches the client if nothing was sent yet
        }
    }

    /** Answers with the object's size, from the tree; the value is not read. */
    @Override
    protected void doHead(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (req.getPathInfo() == null) {
            resp.setStatus(200);
            resp.setContentType("application/json");
            return;
        }
        byte[] key = ObjectKeys.from(req);
        try {
            List<ObjectInfo> found = store.list(key, null, 1);
            if (found.isEmpty() || !java.util.Arrays.equals(found.get(0).key(), key)) {
                resp.setStatus(404);
                return;
            }
            resp.setStatus(200);
            resp.setContentType("application/octet-stream");
            resp.setContentLengthLong(found.get(0).size());
        } catch (RuntimeException e) {
            ErrorMapping.send(resp, e);
        }
    }

    static final int DEFAULT_LIMIT = 1000;
    static final int MAX_LIMIT = 10000;

    /** {@code GET /api/objects?prefix=&after=&limit=}: {"keys":[{"key","size"}],"next"}. */
    private void list(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        int limit = DEFAULT_LIMIT;
        String l = req.getParameter("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                JsonResponses.error(resp, 400, "bad_query", "limit must be a whole number from 1 to " + MAX_LIMIT);
                return;
            }
        }
        String prefix = req.getParameter("prefix");
        String after = req.getParameter("after");
        try {
            List<ObjectInfo> page = store.list(prefix == null ? null : prefix.getBytes(StandardCharsets.UTF_8),
                    after == null ? null : after.getBytes(StandardCharsets.UTF_8), limit + 1);
            JsonArrayBuilder keys = Json.createArrayBuilder();
            for (ObjectInfo o : page.subList(0, Math.min(limit, page.size()))) {
                keys.add(Json.createObjectBuilder().add("key", new String(o.key(), StandardCharsets.UTF_8))
                        .add("size", o.size()));
            }
            JsonObjectBuilder body = Json.createObjectBuilder().add("keys", keys);
            if (page.size() > limit) {
                body.add("next", new String(page.get(limit - 1).key(), StandardCharsets.UTF_8));
            } else {
                body.addNull("next");
            }
            JsonResponses.send(resp, 200, body.build());
        } catch (RuntimeException e) {
            ErrorMapping.send(resp, e);
        }
    }

    /** Streams the body into the store; answered once the commit is durable. */
    @Override
    protected void doPut(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        try {
            boolean created = store.putStream(ObjectKeys.from(req), req.getInputStream());
            resp.setStatus(created ? 201 : 204);
        } catch (RuntimeException e) {
            ErrorMapping.send(resp, e);
        }
    }

    @Override
    protected void doDelete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        try {
            if (store.delete(ObjectKeys.from(req))) {
                resp.setStatus(204);
            } else {
                JsonResponses.error(resp, 404, "not_found", "no object under that key");
            }
        } catch (RuntimeException e) {
            ErrorMapping.send(resp, e);
        }
    }
}
