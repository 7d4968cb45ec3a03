package dev.cairn.web;

import dev.cairn.ejb.ObjectStore;
import jakarta.ejb.EJB;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
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
            JsonResponses.error(resp, 501, "not_implemented", "listing objects is not available yet");
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
