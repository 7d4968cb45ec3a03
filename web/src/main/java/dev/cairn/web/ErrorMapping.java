package dev.cairn.web;

import dev.cairn.api.ConnectionClosedException;
import dev.cairn.api.AlreadyExistsException;
import dev.cairn.api.CairnException;
import dev.cairn.api.NoSuchSnapshotException;
import dev.cairn.api.CorruptBlockException;
import dev.cairn.api.InvalidKeyException;
import dev.cairn.api.ReadOnlyStoreException;
import dev.cairn.api.StoreClosedException;
import dev.cairn.api.StoreFullException;
import dev.cairn.api.TransactionTooLargeException;
import dev.cairn.api.WriteConflictException;
import dev.cairn.api.ValueTooLargeException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns an exception from below into an HTTP status and a JSON error. Bad
 * input is a 4xx; a store that cannot take writes is a 503; only a fault of
 * Cairn's own is a 500, and its body never carries a stack trace.
 */
final class ErrorMapping {

    private static final Logger LOG = Logger.getLogger(ErrorMapping.class.getName());

    private ErrorMapping() {
    }

    static void send(HttpServletResponse resp, Throwable thrown) throws IOException {
        CairnException e = cairnCause(thrown);
        if (e instanceof InvalidKeyException) {
            JsonResponses.error(resp, 400, "bad_key", e.getMessage());
        } else if (e instanceof NoSuchSnapshotException) {
            JsonResponses.error(resp, 404, "not_found", e.getMessage());
        } else if (e instanceof AlreadyExistsException) {
            JsonResponses.error(resp, 409, "exists", e.getMessage());
        } else if (e instanceof WriteConflictException) {
            JsonResponses.error(resp, 409, "conflict", e.getMessage());
        } else if (e instanceof StoreFullException) {
            JsonResponses.error(resp, 507, "store_full", e.getMessage());
        } else if (e instanceof ValueTooLargeException || e instanceof TransactionTooLargeException) {
            JsonResponses.error(resp, 413, "too_large", e.getMessage());
        } else if (e instanceof ReadOnlyStoreException) {
            JsonResponses.error(resp, 503, "read_only", e.getMessage());
        } else if (e instanceof StoreClosedException || e instanceof ConnectionClosedException) {
            JsonResponses.error(resp, 503, "unavailable", e.getMessage());
        } else if (e instanceof CorruptBlockException) {
            LOG.log(Level.SEVERE, "Cairn found corrupt data", e);
            JsonResponses.error(resp, 500, "corrupt", e.getMessage());
        } else {
            LOG.log(Level.SEVERE, "Cairn request failed", thrown);
            JsonResponses.error(resp, 500, "internal", "the request failed inside Cairn; the server log has the details");
        }
    }

    /** The first CairnException in the cause chain (EJB and JCA layers may wrap it). */
    private static CairnException cairnCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof CairnException ce) {
                return ce;
            }
        }
        return null;
    }
}
