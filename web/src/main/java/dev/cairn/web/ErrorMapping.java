package dev.cairn.web;

import dev.cairn.api.ConnectionClosedException;
import dev.cairn.api.AlreadyExistsException;
import dev.cairn.api.CairnException;
import dev.cairn.api.CorruptBlockException;
import dev.cairn.api.InvalidContentTypeException;
import dev.cairn.api.InvalidKeyException;
import dev.cairn.api.InvalidStreamException;
import dev.cairn.api.NoSuchSnapshotException;
import dev.cairn.api.PreconditionFailedException;
import dev.cairn.api.ReadOnlyStoreException;
import dev.cairn.api.StoreClosedException;
import dev.cairn.api.StoreFullException;
import dev.cairn.api.StoreUnavailableException;
import dev.cairn.api.TransactionTooLargeException;
import dev.cairn.api.ValueTooLargeException;
import dev.cairn.api.WriteConflictException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns an exception from below into an HTTP status and a JSON error. Bad
 * input is a 4xx; a store that cannot take writes or cannot be opened is a
 * 503; only a fault of Cairn's own is a 500, and its body never carries a
 * stack trace. What the client or the store's state explains is logged as
 * one FINE line; only Cairn's own failures are logged with their stack.
 */
final class ErrorMapping {

    private static final Logger LOG = Logger.getLogger(ErrorMapping.class.getName());

    /** Liberty's refusal of a request URI it will not decode (an encoded '/', '.', '#' or '\\', a bad escape). */
    private static final String LIBERTY_BAD_URI = "CWWWC0005I";

    private ErrorMapping() {
    }

    static void send(HttpServletResponse resp, Throwable thrown) throws IOException {
        ClientError client = find(thrown, ClientError.class);
        if (client != null) {
            clientError(resp, client.status, client.code, client.getMessage());
            return;
        }
        RequestBody.Broken body = find(thrown, RequestBody.Broken.class);
        if (body != null) {
            clientError(resp, 400, "bad_body", body.getMessage() + "; nothing was stored");
            return;
        }
        CairnException e = find(thrown, CairnException.class);
        if (e == null) {
            for (Throwable c = thrown; c != null; c = c.getCause()) {
                if (c instanceof IOException && String.valueOf(c.getMessage()).contains(LIBERTY_BAD_URI)) {
                    clientError(resp, 400, "bad_request", "the server could not decode the request path: " + c.getMessage());
                    return;
                }
            }
        }
        if (e instanceof InvalidKeyException) {
            clientError(resp, 400, "bad_key", e.getMessage());
        } else if (e instanceof InvalidStreamException) {
            clientError(resp, 400, "bad_stream", e.getMessage());
        } else if (e instanceof InvalidContentTypeException) {
            clientError(resp, 400, "bad_content_type", e.getMessage());
        } else if (e instanceof NoSuchSnapshotException) {
            clientError(resp, 404, "not_found", e.getMessage());
        } else if (e instanceof AlreadyExistsException) {
            clientError(resp, 409, "exists", e.getMessage());
        } else if (e instanceof PreconditionFailedException) {
            clientError(resp, 412, "precondition_failed", e.getMessage());
        } else if (e instanceof WriteConflictException) {
            clientError(resp, 409, "conflict", e.getMessage());
        } else if (e instanceof StoreFullException) {
            clientError(resp, 507, "store_full", e.getMessage());
        } else if (e instanceof ValueTooLargeException || e instanceof TransactionTooLargeException) {
            clientError(resp, 413, "too_large", e.getMessage());
        } else if (e instanceof ReadOnlyStoreException) {
            clientError(resp, 503, "read_only", e.getMessage());
        } else if (e instanceof StoreUnavailableException || e instanceof StoreClosedException
                || e instanceof ConnectionClosedException) {
            clientError(resp, 503, "unavailable", e.getMessage());
        } else if (e instanceof CorruptBlockException) {
            LOG.log(Level.SEVERE, "Cairn found corrupt data", e);
            JsonResponses.error(resp, 500, "corrupt", e.getMessage());
        } else {
            LOG.log(Level.SEVERE, "Cairn request failed", thrown);
            JsonResponses.error(resp, 500, "internal", "the request failed inside Cairn; the server log has the details");
        }
    }

    /** An answer the request or the store's known state explains: one FINE line, no stack. */
    static void clientError(HttpServletResponse resp, int status, String code, String message) throws IOException {
        LOG.fine(() -> "refused with " + status + " " + code + ": " + message);
        JsonResponses.error(resp, status, code, message);
    }

    /** The first {@code type} in the cause chain (EJB and JCA layers may wrap it). */
    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }
}
