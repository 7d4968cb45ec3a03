package dev.cairn.web;

import dev.cairn.api.SnapshotInfo;
import dev.cairn.ejb.ObjectStore;
import dev.cairn.ejb.StoreAdministration;
import jakarta.ejb.EJB;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Snapshots (role admin): {@code POST /api/snapshots} {"name"} takes one (201),
 * {@code GET /api/snapshots} lists them, {@code DELETE /api/snapshots/{name}}
 * deletes one (204), {@code GET /api/snapshots/{name}/objects/{key}} reads an
 * object as it was when the snapshot was taken, {@code GET
 * /api/snapshots/{name}/stream[?from=older]} sends the snapshot as a stream.
 */
@WebServlet(urlPatterns = {"/api/snapshots", "/api/snapshots/*"})
public class SnapshotsServlet extends CairnServlet {

    private static final long serialVersionUID = 1L;
    private static final int MAX_NAME_BYTES = 200;
    private static final Logger LOG = Logger.getLogger(SnapshotsServlet.class.getName());
    /** The media type of a snapshot stream, sent and received. */
    static final String STREAM_TYPE = "application/vnd.cairn.snapshot-stream";
    private static final String STREAM = "/stream";

    @EJB
    private ObjectStore store;
    @EJB
    private StoreAdministration admin;

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (req.getPathInfo() != null) {
            JsonResponses.error(resp, 404, "not_found", "POST snapshots to /api/snapshots");
            return;
        }
        String name;
        try {
            JsonResponses.requireJson(req);
        } catch (ClientError e) {
            ErrorMapping.send(resp, e);
            return;
        }
        try (JsonReader r = Json.createReader(req.getInputStream())) {
            JsonObject body = r.readObject();
            if (!(body.get("name") instanceof JsonString s)) {
                JsonResponses.error(resp, 400, "bad_body", "the body needs \"name\", a string");
                return;
            }
            name = s.getString();
        } catch (JsonException | IllegalStateException e) {
            JsonResponses.error(resp, 400, "bad_body", "the body is not a JSON object: " + e.getMessage());
            return;
        }
        if (!validName(name)) {
            JsonResponses.error(resp, 400, "bad_name", "a snapshot name is 1 to " + MAX_NAME_BYTES
                    + " bytes of UTF-8 without '/'");
            return;
        }
        try {
            admin.createSnapshot(name);
            JsonResponses.send(resp, 201, Json.createObjectBuilder().add("name", name).build());
        } catch (RuntimeException e) {
            ErrorMapping.send(resp, e);
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String info = req.getPathInfo();
        try {
            if (info == null || info.equals("/")) {
                JsonArrayBuilder list = Json.createArrayBuilder();
                for (SnapshotInfo s : admin.snapshots()) {
                    list.add(Json.createObjectBuilder().add("name", s.name()).add("generation", s.generation()));
                }
                JsonResponses.send(resp, 200, Json.createObjectBuilder().add("snapshots", list).build());
                return;
            }
            if (info.endsWith(STREAM) && info.indexOf('/', 1) == info.length() - STREAM.length()) {
                stream(req, resp);
                return;
            }
            int at = info.indexOf("/objects/", 1);
            if (at < 0) {
                JsonResponses.error(resp, 404, "not_found", "no resource at " + req.getRequestURI());
                return;
            }
            // The key from the raw path, as the objects API takes it: never the decoded, normalised one.
            String tail = ObjectKeys.rawPath(req).substring((req.getContextPath() + "/api/snapshots/").length());
            int rawAt = tail.indexOf("/objects/");
            if (rawAt <= 0) {
                JsonResponses.error(resp, 404, "not_found", "no resource at " + req.getRequestURI());
                return;
            }
            String name = new String(ObjectKeys.decode(tail.substring(0, rawAt)), StandardCharsets.UTF_8);
            byte[] key = ObjectKeys.decode(tail.substring(rawAt + "/objects/".length()));
            InputStream value = store.getStreamAt(name, key);
            if (value == null) {
                JsonResponses.error(resp, 404, "not_found", "no object under that key in snapshot " + name);
                return;
            }
            try (InputStream in = value) {
                resp.setStatus(200);
                resp.setContentType("application/octet-stream");
                in.transferTo(resp.getOutputStream());
            }
        } catch (RuntimeException e) {
            ErrorMapping.send(resp, e);
        }
    }

    @Override
    protected void doDelete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String info = req.getPathInfo();
        if (info == null || info.length() <= 1 || info.indexOf('/', 1) >= 0) {
            JsonResponses.error(resp, 404, "not_found", "DELETE /api/snapshots/{name}");
            return;
        }
        try {
            admin.deleteSnapshot(info.substring(1));
            resp.setStatus(204);
        } catch (RuntimeException e) {
            ErrorMapping.send(resp, e);
        }
    }

    /**
     * The snapshot as a stream (whole, or the changes since {@code ?from=}),
     * for {@code POST /api/admin/receive} of another server or for
     * {@code BackupMain receive}. Both snapshots are looked up before the
     * status is sent, so a wrong name is a 404; a failure once bytes have
     * gone out cuts the stream short, before its end frame, and a receiver
     * refuses it.
     */
    private void stream(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String raw = ObjectKeys.rawPath(req).substring((req.getContextPath() + "/api/snapshots/").length());
        String name = new String(ObjectKeys.decode(raw.substring(0, raw.length() - STREAM.length())), StandardCharsets.UTF_8);
        String from = req.getParameter("from");
        if (from != null && !validName(from)) {
            JsonResponses.error(resp, 400, "bad_query", "from is a snapshot name, 1 to " + MAX_NAME_BYTES
                    + " bytes of UTF-8 without '/'");
            return;
        }
        Set<String> names = new HashSet<>();
        admin.snapshots().forEach(i -> names.add(i.name()));
        for (String n : from == null ? List.of(name) : List.of(name, from)) {
            if (!names.contains(n)) {
                JsonResponses.error(resp, 404, "not_found", "no snapshot named " + n);
                return;
            }
        }
        resp.setStatus(200);
        resp.setContentType(STREAM_TYPE);
        resp.setHeader("Content-Disposition", "attachment; filename=\"snapshot.cairnstream\"");
        try {
            admin.sendSnapshot(name, from, resp.getOutputStream());
        } catch (UncheckedIOException e) {
            // The client went away (or the connection broke): the stream it got ends
            // before its end frame, and a receiver refuses it. Not Cairn's failure.
            LOG.fine(() -> "sending snapshot " + name + " stopped: " + e.getMessage());
        }
    }

    private static boolean validName(String name) {
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        return bytes > 0 && bytes <= MAX_NAME_BYTES && name.indexOf('/') < 0;
    }
}
