package dev.cairn.web;

import dev.cairn.api.ContentTypes;
import dev.cairn.api.InvalidContentTypeException;
import dev.cairn.api.Write;
import dev.cairn.ejb.ObjectStore;
import jakarta.ejb.EJB;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * {@code POST /api/batch}: {"ops":[{"op":"put","key","value"(base64)},{"op":"delete","key"}]},
 * applied in one transaction, all or nothing: answered 200 {"applied":n}
 * once durable, or with the error of the operation that failed and nothing
 * applied.
 */
@WebServlet("/api/batch")
public class BatchServlet extends CairnServlet {

    private static final long serialVersionUID = 1L;

    /** A batch body is held in memory (values are base64 in JSON): this much at most. */
    static final int MAX_BODY_BYTES = 16 << 20;

    @EJB
    private ObjectStore store;

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        try {
            JsonResponses.requireJson(req);
        } catch (ClientError e) {
            ErrorMapping.send(resp, e);
            return;
        }
        byte[] body;
        try (InputStream in = req.getInputStream()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
            JsonResponses.error(resp, 413, "too_large", "a batch body may be at most " + MAX_BODY_BYTES + " bytes");
            return;
        }
        List<Write> ops;
        try {
            ops = parse(body);
        } catch (BadBatch e) {
            ErrorMapping.clientError(resp, 400, e.code, e.getMessage());
            return;
        }
        try {
            int applied = store.batch(ops);
            JsonResponses.send(resp, 200, Json.createObjectBuilder().add("applied", applied).build());
        } catch (RuntimeException e) {
            ErrorMapping.send(resp, e);
        }
    }

    static final class BadBatch extends Exception {
        private static final long serialVersionUID = 1L;

        final String code;

        BadBatch(String message) {
            this("bad_body", message);
        }

        BadBatch(String code, String message) {
            super(message);
            this.code = code;
        }
    }

    /** Deepest nesting a batch needs is 3 (body, ops, op); past this the body is refused before it is built. */
    static final int MAX_DEPTH = 3;

    static List<Write> parse(byte[] body) throws BadBatch {
        JsonObject root = readObject(body);
        JsonValue opsValue = root.get("ops");
        if (!(opsValue instanceof JsonArray ops)) {
            throw new BadBatch("the body needs \"ops\", an array");
        }
        List<Write> out = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            if (!(ops.get(i) instanceof JsonObject op)) {
                throw new BadBatch("ops[" + i + "] is not an object");
            }
            String kind = string(op, "op", i);
            byte[] key;
            try {
                key = ObjectKeys.validate(string(op, "key", i));
            } catch (ClientError e) {
                throw new BadBatch("bad_key", "ops[" + i + "].key: " + e.getMessage());
            }
            switch (kind) {
                case "put" -> {
                    try {
                        out.add(Write.put(key, Base64.getDecoder().decode(string(op, "value", i)), contentType(op, i)));
                    } catch (IllegalArgumentException e) {
                        throw new BadBatch("ops[" + i + "].value is not base64: " + e.getMessage());
                    }
                }
                case "delete" -> out.add(Write.delete(key));
                default -> throw new BadBatch("ops[" + i + "].op is \"" + kind + "\"; it must be \"put\" or \"delete\"");
            }
        }
        return out;
    }

    /**
     * The body as one JSON object and nothing after it. The nesting is
     * checked on the parser's events first: a body nested thousands deep
     * would otherwise fail inside the JSON library with an error of its own.
     */
    private static JsonObject readObject(byte[] body) throws BadBatch {
        try {
            try (JsonParser p = Json.createParser(new ByteArrayInputStream(body))) {
                int depth = 0;
                boolean started = false;
                while (true) {
                    JsonParser.Event e;
                    try {
                        if (!p.hasNext()) {
                            break;
                        }
                        e = p.next();
                    } catch (JsonException | IllegalStateException | NoSuchElementException bad) {
                        if (started && depth == 0) {
                            throw new BadBatch("the body has more after its JSON object; send one object");
                        }
                        throw bad;
                    }
                    if (started && depth == 0) {
                        throw new BadBatch("the body has more after its JSON object; send one object");
                    }
                    started = true;
                    if (e == JsonParser.Event.START_OBJECT || e == JsonParser.Event.START_ARRAY) {
                        if (++depth > MAX_DEPTH) {
                            throw new BadBatch("the body is nested deeper than a batch is: {\"ops\":[{...}]}");
                        }
                    } else if (e == JsonParser.Event.END_OBJECT || e == JsonParser.Event.END_ARRAY) {
                        depth--;
                    } else if (depth == 0) {
                        throw new BadBatch("the body is not a JSON object");
                    }
                }
                if (!started) {
                    throw new BadBatch("the body is empty; send {\"ops\":[...]}");
                }
            }
            try (JsonReader r = Json.createReader(new ByteArrayInputStream(body))) {
                return r.readObject();
            }
        } catch (JsonException | IllegalStateException | NoSuchElementException e) {
            throw new BadBatch("the body is not a JSON object: " + e.getMessage());
        }
    }

    /** A put's optional {@code contentType}: a media type, as {@link ContentTypes} allows. */
    private static String contentType(JsonObject op, int i) throws BadBatch {
        if (!op.containsKey("contentType") || op.isNull("contentType")) {
            return null;
        }
        try {
            return ContentTypes.check(string(op, "contentType", i));
        } catch (InvalidContentTypeException e) {
            throw new BadBatch("bad_content_type", "ops[" + i + "].contentType: " + e.getMessage());
        }
    }

    private static String string(JsonObject op, String field, int i) throws BadBatch {
        if (!(op.get(field) instanceof JsonString s)) {
            throw new BadBatch("ops[" + i + "]." + field + " must be a string");
        }
        return s.getString();
    }
}
