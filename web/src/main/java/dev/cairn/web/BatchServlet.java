package dev.cairn.web;

import dev.cairn.ejb.BatchOp;
import dev.cairn.ejb.ObjectStore;
import jakarta.ejb.EJB;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * {@code POST /api/batch}: {"ops":[{"op":"put","key","value"(base64)},{"op":"delete","key"}]},
 * applied in one transaction, all or nothing: answered 200 {"applied":n}
 * once durable, or with the error of the operation that failed and nothing
 * applied.
 */
@WebServlet("/api/batch")
public class BatchServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** A batch body is held in memory (values are base64 in JSON): this much at most. */
    static final int MAX_BODY_BYTES = 16 << 20;

    @EJB
    private ObjectStore store;

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        byte[] body;
        try (InputStream in = req.getInputStream()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
            JsonResponses.error(resp, 413, "too_large", "a batch body may be at most " + MAX_BODY_BYTES + " bytes");
            return;
        }
        List<BatchOp> ops;
        try {
            ops = parse(body);
        } catch (BadBatch e) {
            JsonResponses.error(resp, 400, "bad_body", e.getMessage());
            return;
        }
        try {
            int applied = store.batch(ops);
            JsonResponses.send(resp, 200, Json.createObjectBuilder().add("applied", applied).build());
        } catch (RuntimeException e) {
            ErrorMapping.send(resp, e);
        }
    }

    private static final class BadBatch extends Exception {
        private static final long serialVersionUID = 1L;

        BadBatch(String message) {
            super(message);
        }
    }

    private static List<BatchOp> parse(byte[] body) throws BadBatch {
        JsonObject root;
        try (JsonReader r = Json.createReader(new java.io.ByteArrayInputStream(body))) {
            root = r.readObject();
        } catch (JsonException | IllegalStateException e) {
            throw new BadBatch("the body is not a JSON object: " + e.getMessage());
        }
        JsonValue opsValue = root.get("ops");
        if (!(opsValue instanceof JsonArray ops)) {
            throw new BadBatch("the body needs \"ops\", an array");
        }
        List<BatchOp> out = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            if (!(ops.get(i) instanceof JsonObject op)) {
                throw new BadBatch("ops[" + i + "] is not an object");
            }
            String kind = string(op, "op", i);
            byte[] key = string(op, "key", i).getBytes(StandardCharsets.UTF_8);
            switch (kind) {
                case "put" -> {
                    try {
                        out.add(new BatchOp(key, Base64.getDecoder().decode(string(op, "value", i))));
                    } catch (IllegalArgumentException e) {
                        throw new BadBatch("ops[" + i + "].value is not base64: " + e.getMessage());
                    }
                }
                case "delete" -> out.add(new BatchOp(key, null));
                default -> throw new BadBatch("ops[" + i + "].op is \"" + kind + "\"; it must be \"put\" or \"delete\"");
            }
        }
        return out;
    }

    private static String string(JsonObject op, String field, int i) throws BadBatch {
        if (!(op.get(field) instanceof JsonString s)) {
            throw new BadBatch("ops[" + i + "]." + field + " must be a string");
        }
        return s.getString();
    }
}
