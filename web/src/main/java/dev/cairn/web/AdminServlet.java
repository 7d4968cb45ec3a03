package dev.cairn.web;

import dev.cairn.api.CheckResult;
import dev.cairn.api.SnapshotTransfer;
import dev.cairn.ejb.StoreAdministration;
import jakarta.ejb.EJB;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;

/**
 * {@code GET /api/admin/stats}: the engine's figures as JSON (numbers), and
 * {@code readOnlyReason} (a string) once the store takes no writes.
 * {@code GET /api/admin/history}: the figures the adapter sampled,
 * {"intervalSeconds":n,"samples":[{"time":millis,"figures":{..}},..]}, oldest first.
 * {@code POST /api/admin/sync}: a sync pass now, {"generation":n}.
 * {@code POST /api/admin/check}: a full check, {"ok":bool,"problems":[..],...}.
 * {@code POST /api/admin/compress}: allocation logs rewritten, {"generation":n}.
 * {@code POST /api/admin/receive}: a snapshot stream received into the store,
 * {"snapshot","base","puts","deletes"}.
 */
@WebServlet("/api/admin/*")
public class AdminServlet extends CairnServlet {

    private static final long serialVersionUID = 1L;

    @EJB
    private StoreAdministration admin;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if ("/history".equals(req.getPathInfo())) {
            history(resp);
            return;
        }
        if (!"/stats".equals(req.getPathInfo())) {
            notFound(req, resp);
            return;
        }
        try {
            JsonObjectBuilder body = Json.createObjectBuilder();
            admin.statistics().forEach(body::add);
            String reason = admin.readOnlyReason();
            if (reason != null) {
                body.add("readOnlyReason", reason);
            }
            JsonResponses.send(resp, 200, body.build());
        } catch (RuntimeException e) {
            ErrorMapping.send(resp, e);
        }
    }

    private void history(HttpServletResponse resp) throws IOException {
        try {
            jakarta.json.JsonArrayBuilder samples = Json.createArrayBuilder();
            for (dev.cairn.api.FigureSample sample : admin.history()) {
                JsonObjectBuilder figures = Json.createObjectBuilder();
                sample.figures().forEach(figures::add);
                samples.add(Json.createObjectBuilder().add("time", sample.timeMillis()).add("figures", figures));
            }
            JsonResponses.send(resp, 200, Json.createObjectBuilder()
                    .add("intervalSeconds", admin.historyIntervalSeconds()).add("samples", samples).build());
        } catch (RuntimeException e) {
            ErrorMapping.send(resp, e);
        }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String op = req.getPathInfo();
        try {
            if ("/receive".equals(op)) {
                receive(req, resp);
                return;
            }
            JsonResponses.requireJson(req); // a cross-site form cannot send it: see requireJson
            JsonObject body;
            if ("/sync".equals(op)) {
                body = Json.createObjectBuilder().add("generation", admin.sync()).build();
            } else if ("/compress".equals(op)) {
                body = Json.createObjectBuilder().add("generation", admin.compressLogs()).build();
            } else if ("/check".equals(op)) {
                body = checkJson(admin.check());
            } else {
                notFound(req, resp);
                return;
            }
            JsonResponses.send(resp, 200, body);
        } catch (RuntimeException e) {
            ErrorMapping.send(resp, e);
        }
    }

    /**
     * A snapshot stream into the store, all or nothing. Its own media type,
     * like JSON elsewhere, is one a cross-site form cannot send.
     */
    private void receive(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String type = req.getContentType();
        String base = type == null ? "" : type.split(";", 2)[0].trim();
        if (!base.equalsIgnoreCase(SnapshotsServlet.STREAM_TYPE)) {
            throw new ClientError(415, "unsupported_media_type", "POST " + req.getRequestURI() + " needs Content-Type: "
                    + SnapshotsServlet.STREAM_TYPE + (type == null ? "" : "; it was " + type));
        }
        SnapshotTransfer r = admin.receiveSnapshot(req.getInputStream());
        JsonObjectBuilder body = Json.createObjectBuilder().add("snapshot", r.snapshot())
                .add("puts", r.puts()).add("deletes", r.deletes());
        if (r.base() == null) {
            body.addNull("base");
        } else {
            body.add("base", r.base());
        }
        JsonResponses.send(resp, 200, body.build());
    }

    private static JsonObject checkJson(CheckResult r) {
        return Json.createObjectBuilder()
                .add("ok", r.ok())
                .add("problems", strings(r.problems()))
                .add("notes", strings(r.notes()))
                .add("generation", r.generation())
                .add("reachableBlocks", r.reachableBlocks())
                .add("leakedBlocks", r.leakedBlocks())
                .build();
    }

    private static JsonArrayBuilder strings(List<String> lines) {
        JsonArrayBuilder a = Json.createArrayBuilder();
        lines.forEach(a::add);
        return a;
    }

    private static void notFound(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        JsonResponses.error(resp, 404, "not_found", "no admin resource at " + req.getMethod() + " " + req.getRequestURI());
    }
}
