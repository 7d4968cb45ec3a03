package dev.cairn.ejb;

import dev.cairn.api.CairnConnection;
import dev.cairn.api.CairnConnectionFactory;
import jakarta.annotation.Resource;
import jakarta.ejb.LocalBean;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import dev.cairn.api.ObjectInfo;
import java.io.InputStream;
import java.util.List;

/**
 * The object API as container-managed transactions: each method runs in the
 * caller's JTA transaction or in a new one, and the Cairn connection's local
 * transaction commits with it. Cairn's errors pass through unwrapped and roll
 * the transaction back (ejb-jar.xml declares them application exceptions).
 */
@Stateless
@LocalBean
@TransactionAttribute(TransactionAttributeType.REQUIRED)
public class ObjectStore {

    @Resource(lookup = "eis/cairn")
    private CairnConnectionFactory cairn;

    /** The value under {@code key}, or null. */
    public byte[] get(byte[] key) {
        try (CairnConnection c = cairn.getConnection()) {
            return c.get(key);
        }
    }

    /**
     * Stores {@code value} under {@code key}.
     *
     * @return true when the key was new, false when a value was replaced
     */
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
    public InputStream getStream(byte[] key) {
        try (CairnConnection c = cairn.getConnection()) {
            return c.getStream(key);
        }
    }

    /** A listing page: see {@link CairnConnection#list}. */
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
    public int batch(List<BatchOp> ops) {
        try (CairnConnection c = cairn.getConnection()) {
            for (BatchOp op : ops) {
                if (op.value() == null) {
                    c.delete(op.key());
                } else {
                    c.put(op.key(), op.value());
                }
            }
            return ops.size();
        }
    }

    /** A value as of a snapshot, as a stream the caller must close; null when absent. */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public InputStream getStreamAt(String snapshot, byte[] key) {
        try (CairnConnection c = cairn.getConnection()) {
            return c.getStreamAt(snapshot, key);
        }
    }

    /** Removes {@code key}; returns whether it existed. */
    public boolean delete(byte[] key) {
        try (CairnConnection c = cairn.getConnection()) {
            return c.delete(key);
        }
    }
}
