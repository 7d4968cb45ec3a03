package dev.cairn.ejb;

import dev.cairn.api.CairnConnection;
import dev.cairn.api.CairnConnectionFactory;
import dev.cairn.api.Precondition;
import dev.cairn.api.StoredObject;
import dev.cairn.api.Write;
import dev.cairn.api.WriteResult;
import jakarta.annotation.Resource;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ejb.LocalBean;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import dev.cairn.api.ObjectInfo;
import java.io.InputStream;
import java.util.List;

/**
 * The object API over {@code eis/cairn}. Each method joins the caller's JTA
 * transaction when there is one (its work commits or rolls back with it);
 * without one, it runs no container transaction, and each of its writes
 * commits inside the call ({@link CairnConnection#write} for a batch). So a
 * failure of the commit itself — a conflict, a full store — reaches the
 * caller as its own exception type, which a commit by the container after
 * the method returned would have turned into a generic rollback. Cairn's
 * errors pass through unwrapped and mark a caller's transaction for
 * rollback (ejb-jar.xml declares them application exceptions).
 *
 * <p>Roles: the bean is reachable from any application of the server
 * through {@code java:global}, so every method names the roles of the HTTP
 * API's matching door — reads {@code reader}, writes {@code writer}, with
 * {@code admin} allowed both (the admin page reads snapshots). Another
 * application keeps its objects through {@code eis/cairn} with its own
 * security, not through this bean.
 */
@Stateless
@LocalBean
@TransactionAttribute(TransactionAttributeType.SUPPORTS)
public class ObjectStore {

    @Resource(lookup = "eis/cairn")
    private CairnConnectionFactory cairn;

    /** The value under {@code key}, or null. */
    @RolesAllowed({"reader", "admin"})
    public byte[] get(byte[] key) {
        try (CairnConnection c = cairn.getConnection()) {
            return c.get(key);
        }
    }

    /**
     * Stores {@code value} under {@code key}.
     *
     * @return true when the key had no object as the write's transaction
     *         began, false when a value was replaced
     */
    @RolesAllowed({"writer", "admin"})
    public boolean put(byte[] key, byte[] value) {
        try (CairnConnection c = cairn.getConnection()) {
            boolean existed = c.exists(key);
            c.put(key, value);
            return !existed;
        }
    }

    /**
     * Stores everything {@code body} yields under {@code key}, streaming it to
     * the store's blocks.
     *
     * @return true when the key was new, false when a value was replaced
     */
    @RolesAllowed({"writer", "admin"})
    public boolean putStream(byte[] key, InputStream body) {
        try (CairnConnection c = cairn.getConnection()) {
            boolean existed = c.exists(key);
            c.putStream(key, body);
            return !existed;
        }
    }

    /**
     * The value under {@code key} as a stream, or null. Runs outside any
     * transaction so the stream keeps its own snapshot after this returns;
     * the caller must close it.
     */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    @RolesAllowed({"reader", "admin"})
    public InputStream getStream(byte[] key) {
        try (CairnConnection c = cairn.getConnection()) {
            return c.getStream(key);
        }
    }

    /**
     * The object under {@code key} with its size and tag, as one snapshot
     * holds it, or null; see {@link CairnConnection#open}. Runs outside any
     * transaction so the stream keeps its own snapshot after this returns;
     * the caller must close it.
     */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    @RolesAllowed({"reader", "admin"})
    public StoredObject open(byte[] key) {
        try (CairnConnection c = cairn.getConnection()) {
            return c.open(key);
        }
    }

    /**
     * A conditional streamed write with a media type (null: none): see
     * {@link CairnConnection#putStream(byte[], InputStream, Precondition, String)}.
     */
    @RolesAllowed({"writer", "admin"})
    public WriteResult putStream(byte[] key, InputStream body, Precondition when, String contentType) {
        try (CairnConnection c = cairn.getConnection()) {
            return c.putStream(key, body, when, contentType);
        }
    }

    /** A conditional delete: see {@link CairnConnection#delete(byte[], Precondition)}. */
    @RolesAllowed({"writer", "admin"})
    public boolean delete(byte[] key, Precondition when) {
        try (CairnConnection c = cairn.getConnection()) {
            return c.delete(key, when);
        }
    }

    /** A listing page: see {@link CairnConnection#list}. */
    @RolesAllowed({"reader", "admin"})
    public List<ObjectInfo> list(byte[] prefix, byte[] after, int limit) {
        try (CairnConnection c = cairn.getConnection()) {
            return c.list(prefix, after, limit);
        }
    }

    /**
     * Applies every operation in one transaction: all or nothing. Any error
     * (a bad key, a conflict) rolls the whole batch back.
     *
     * @return how many operations were applied
     */
    @RolesAllowed({"writer", "admin"})
    public int batch(List<Write> ops) {
        try (CairnConnection c = cairn.getConnection()) {
            return c.write(ops);
        }
    }

    /** A value as of a snapshot, as a stream the caller must close; null when absent. */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    @RolesAllowed({"reader", "admin"})
    public InputStream getStreamAt(String snapshot, byte[] key) {
        try (CairnConnection c = cairn.getConnection()) {
            return c.getStreamAt(snapshot, key);
        }
    }

    /** Removes {@code key}; returns whether it existed. */
    @RolesAllowed({"writer", "admin"})
    public boolean delete(byte[] key) {
        try (CairnConnection c = cairn.getConnection()) {
            return c.delete(key);
        }
    }
}
