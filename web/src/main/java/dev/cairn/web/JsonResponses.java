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

    static void error(HttpServletResponse resp, int status, String code, String message) throws IOException {
        if (resp.isCommitted()) {
            return;
        }
        resp.resetBuffer();
        send(resp, status, Json.createObjectBuilder().add("error", code).add("message", message).build());
    }
}
