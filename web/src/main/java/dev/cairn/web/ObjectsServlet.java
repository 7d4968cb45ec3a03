package dev.cairn.web;

import dev.cairn.ejb.ObjectStore;
import jakarta.ejb.EJB;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * {@code /api/objects/{key}}: PUT stores the body, GET (and HEAD) returns it,
 * DELETE removes it. A PUT is answered only after its commit is durable.
 */
@WebServlet(urlPatterns = {"/api/objects", "/api/objects/*"})
public class ObjectsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** Bodies larger than this are refused before they are read (413). */
    static final int MAX_BODY_BYTES = 16 << 20;

    @EJB
    private ObjectStore store;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (req.getPathInfo() == null) {
            JsonResponses.error(resp, 501, "not_implemented", "listing objects is not available yet");
            return;
        }
        try {
            byte[] value = store.get(ObjectKeys.from(req));
            if (value == null) {
                JsonResponses.error(resp, 404, "not_found", "no object under that key");
                return;
            }
            resp.setStatus(200);
            resp.setContentType("application/octet-stream");
            resp.setContentLengthLong(value.length);
            resp.getOutputStream().write(value);
        } catch (RuntimeException e) {
            ErrorMapping.send(resp, e);
        }
    }

    @Override
    protected void doPut(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        long declared = req.getContentLengthLong();
        if (declared > MAX_BODY_BYTES) {
            JsonResponses.error(resp, 413, "too_large",
                    "body is " + declared + " bytes, larger than the " + MAX_BODY_BYTES + " accepted");
            return;
        }
        byte[] body = readBody(req.getInputStream());
        if (body == null) {
            JsonResponses.error(resp, 413, "too_large", "body is larger than the " + MAX_BODY_BYTES + " bytes accepted");
            return;
        }
        try {
            boolean created = store.put(ObjectKeys.from(req), body);
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

    /** The whole body, or null when it exceeds {@link #MAX_BODY_BYTES}. */
    private static byte[] readBody(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 << 10];
        int n;
        while ((n = in.read(buf)) > 0) {
            if (out.size() + n > MAX_BODY_BYTES) {
                return null;
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }
}
