package dev.cairn.web;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.Writer;

/** Writes JSON bodies, errors included: {"error": code, "message": text}. */
final class JsonResponses {

    private JsonResponses() {
    }

    static void send(HttpServletResponse resp, int status, JsonObject body) throws IOException {
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        try (Writer w = resp.getWriter()) {
            Json.createWriter(w).write(body);
        }
    }

    /**
     * Refuses a state-changing request whose body is not declared JSON: a
     * browser sends {@code text/plain} and form bodies cross-site without
     * asking first, so without this a hostile page could use a visitor's
     * cached credentials; {@code application/json} it cannot send unasked.
     */
    static void requireJson(jakarta.servlet.http.HttpServletRequest req) {
        String type = req.getContentType();
        String base = type == null ? "" : type.split(";", 2)[0].trim();
        if (!base.equalsIgnoreCase("application/json")) {
            throw new ClientError(415, "unsupported_media_type", req.getMethod() + " " + req.getRequestURI()
                    + " needs Content-Type: application/json" + (type == null ? "" : "; it was " + type));
        }
    }

    static void error(HttpServletResponse resp, int status, String code, String message) throws IOException {
        if (resp.isCommitted()) {
            return;
        }
        resp.resetBuffer();
        send(resp, status, Json.createObjectBuilder().add("error", code).add("message", message).build());
    }
}
