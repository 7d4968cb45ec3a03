package dev.cairn.web;

import dev.cairn.api.ContentTypes;
import dev.cairn.api.ObjectInfo;
import dev.cairn.api.Precondition;
import dev.cairn.api.StoredObject;
import dev.cairn.api.WriteConflictException;
import dev.cairn.api.WriteResult;
import dev.cairn.ejb.ObjectStore;
import jakarta.ejb.EJB;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * {@code /api/objects/{key}}: PUT stores the body, GET (and HEAD) returns it,
 * DELETE removes it. A PUT is answered only after its commit is durable.
 * The key is the raw request path after {@code /api/objects/}
 * ({@link ObjectKeys}). A PUT or DELETE is a blind write (no transaction
 * of its own reads the key), so concurrent writers of one key never
 * conflict: the later commit's value stays.
 * Bodies stream both ways, one block at a time: an object's size is bounded
 * by the store, not by the server's memory.
 */
@WebServlet(urlPatterns = {"/api/objects", "/api/objects/*"})
public class ObjectsServlet extends CairnServlet {

    private static final long serialVersionUID = 1L;

    @EJB
    private ObjectStore store;

    /** What keys follow in the raw request path. */
    static final String OBJECTS = "/api/objects/";
    /** The media type of an object stored without one. */
    static final String UNTYPED = "application/octet-stream";

    /** Whether the request names the collection ({@code /api/objects}) rather than an object. */
    private static boolean isListing(HttpServletRequest req) {
        return ObjectKeys.rawPath(req).equals(req.getContextPath() + "/api/objects");
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (isListing(req)) {
            list(req, resp);
            return;
        }
        StoredObject object;
        try {
            object = store.open(ObjectKeys.from(req, OBJECTS));
        } catch (RuntimeException e) {
            ErrorMapping.send(resp, e);
            return;
        }
        if (object == null) {
            ErrorMapping.clientError(resp, 404, "not_found", "no object under that key");
            return;
        }
        try (StoredObject o = object) {
            if (!describe(req, resp, o)) {
                return;
            }
            Ranges.Range range = Ranges.parse(req, o.size(), o.etag());
            if (range == Ranges.UNSATISFIABLE) {
                resp.setHeader("Content-Range", "bytes */" + o.size());
                ErrorMapping.clientError(resp, 416, "bad_range", "the Range asks for bytes past the object's "
                        + o.size() + " bytes");
                return;
            }
            InputStream in = o.content();
            long length = o.size();
            if (range != null) {
                resp.setStatus(206);
                resp.setHeader("Content-Range", "bytes " + range.first() + "-" + range.last() + "/" + o.size());
                in.skipNBytes(range.first()); // passes over whole blocks without reading them
                length = range.length();
            } else {
                resp.setStatus(200);
            }
            resp.setContentLengthLong(length);
            copy(in, resp.getOutputStream(), length); // one block at a time, never the whole value
        } catch (RuntimeException e) {
            ErrorMapping.send(resp, e); // only reaches the client if nothing was sent yet
        }
    }

    private static void copy(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buf = new byte[16384];
        long left = length;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new IOException("the object ended " + left + " bytes early");
            }
            out.write(buf, 0, n);
            left -= n;
        }
    }

    /**
     * Sets the headers every answer about an object carries and answers the
     * read's preconditions: false when they answered the request already
     * ({@code 304} for a matching {@code If-None-Match}, {@code 412} for a
     * failed {@code If-Match}).
     */
    private static boolean describe(HttpServletRequest req, HttpServletResponse resp, StoredObject o) throws IOException {
        resp.setHeader("ETag", o.etag());
        resp.setHeader("Accept-Ranges", "bytes");
        resp.setContentType(o.contentType() != null ? o.contentType() : UNTYPED);
        Precondition when = Conditions.of(req);
        if (when.ifMatch() != null && when.failure(o.etag()) != null) {
            ErrorMapping.clientError(resp, 412, "precondition_failed", when.failure(o.etag()));
            return false;
        }
        if (when.ifNoneMatch() != null && when.failure(o.etag()) != null) {
            resp.setStatus(304); // the client's copy is current
            return false;
        }
        return true;
    }

    /** Answers with the object's size and tag; its bytes are not read. */
    @Override
    protected void doHead(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (isListing(req)) {
            resp.setStatus(200);
            resp.setContentType("application/json");
            return;
        }
        try {
            StoredObject object = store.open(ObjectKeys.from(req, OBJECTS));
            if (object == null) {
                ErrorMapping.clientError(resp, 404, "not_found", "no object under that key");
                return;
            }
            try (StoredObject o = object) {
                if (describe(req, resp, o)) {
                    resp.setStatus(200);
                    resp.setContentLengthLong(o.size());
                }
            }
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
                ErrorMapping.clientError(resp, 400, "bad_query", "limit must be a whole number from 1 to " + MAX_LIMIT);
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
                JsonObjectBuilder entry = Json.createObjectBuilder()
                        .add("key", new String(o.key(), StandardCharsets.UTF_8)).add("size", o.size());
                if (o.contentType() != null) {
                    entry.add("contentType", o.contentType());
                }
                keys.add(entry);
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

    /**
     * Streams the body into the store; answered once the commit is durable,
     * with the new value's tag. {@code If-Match} and {@code If-None-Match}
     * make it conditional (checked in the write's transaction; {@code 412}
     * when they fail, also when a concurrent commit changed the object in
     * between).
     */
    @Override
    protected void doPut(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Precondition when = Precondition.none();
        try {
            byte[] key = ObjectKeys.from(req, OBJECTS);
            when = Conditions.of(req);
            WriteResult r = store.putStream(key, RequestBody.of(req), when, contentType(req));
            resp.setHeader("ETag", r.etag());
            resp.setStatus(r.created() ? 201 : 204);
        } catch (RuntimeException e) {
            conditionalError(resp, e, when);
        }
    }

    /**
     * The request's {@code Content-Type}, kept with the object as sent, or
     * null when there is none.
     *
     * @throws dev.cairn.api.InvalidContentTypeException when it is not a media type ({@code 400 bad_content_type})
     */
    private static String contentType(HttpServletRequest req) {
        String type = req.getHeader("Content-Type");
        return type == null || type.isEmpty() ? null : ContentTypes.check(type);
    }

    @Override
    protected void doDelete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Precondition when = Precondition.none();
        try {
            byte[] key = ObjectKeys.from(req, OBJECTS);
            when = Conditions.of(req);
            if (store.delete(key, when)) {
                resp.setStatus(204);
            } else {
                ErrorMapping.clientError(resp, 404, "not_found", "no object under that key");
            }
        } catch (RuntimeException e) {
            conditionalError(resp, e, when);
        }
    }

    /** A conflict of a conditional write means its condition no longer held when it committed: 412. */
    private static void conditionalError(HttpServletResponse resp, RuntimeException e, Precondition when)
            throws IOException {
        WriteConflictException conflict = null;
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof WriteConflictException w) {
                conflict = w;
            }
        }
        if (!when.isNone() && conflict != null) {
            ErrorMapping.clientError(resp, 412, "precondition_failed", "another request changed the object while "
                    + "this one was checked and written: " + conflict.getMessage());
            return;
        }
        ErrorMapping.send(resp, e);
    }
}
