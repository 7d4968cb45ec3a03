package dev.cairn.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.CairnConnection;
import dev.cairn.api.CairnConnectionFactory;
import dev.cairn.api.ConnectionClosedException;
import dev.cairn.api.InvalidKeyException;
import dev.cairn.ejb.ObjectStore;
import jakarta.transaction.UserTransaction;
import java.io.IOException;
import java.util.Map;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs inside Liberty, next to the application: the EJB, the connection
 * factory at eis/cairn, and the server's transaction manager, all real.
 */
@ExtendWith(ArquillianExtension.class)
class InServerIT {

    @Deployment
    static EnterpriseArchive ear() throws IOException {
        return Deployments.withEveryRoleForEveryone(Deployments.shippedEarWithTestModule(InServerIT.class));
    }

    private static <T> T lookup(String name, Class<T> type) throws NamingException {
        return type.cast(new InitialContext().lookup(name));
    }

    private static ObjectStore ejb() throws NamingException {
        return lookup("java:global/cairn/cairn-ejb/ObjectStore!dev.cairn.ejb.ObjectStore", ObjectStore.class);
    }

    private static CairnConnectionFactory factory() throws NamingException {
        return lookup("eis/cairn", CairnConnectionFactory.class);
    }

    private static long count(Map<String, Long> stats, String name) {
        Long v = stats.get(name);
        if (v == null) {
            throw new AssertionError("no figure " + name + " in " + stats);
        }
        return v;
    }

    private static byte[] committedValue(String key) throws NamingException {
        try (CairnConnection c = factory().getConnection()) {
            return c.get(key);
        }
    }

    @Test
    void theEjbCommitsThroughTheAdaptersXaResource() throws Exception {
        String key = "it/ejb/" + System.nanoTime();
        Map<String, Long> before = factory().statistics();

        // In the caller's JTA transaction the EJB's work is part of it.
        UserTransaction utx = lookup("java:comp/UserTransaction", UserTransaction.class);
        utx.begin();
        assertTrue(ejb().put(key.getBytes(UTF_8), "v1".getBytes(UTF_8)), "a new key is created");
        utx.commit();

        Map<String, Long> after = factory().statistics();
        // The only resource of the EJB's transaction: committed in one phase, no prepare.
        assertEquals(count(before, "xaCommitted") + 1, count(after, "xaCommitted"));
        assertEquals(count(before, "xaPrepared"), count(after, "xaPrepared"));
        assertEquals(count(before, "commits") + 1, count(after, "commits"), "one durable engine commit");
        assertArrayEquals("v1".getBytes(UTF_8), committedValue(key));

        // Without one, each of its writes commits on its own, before the call returns.
        assertFalse(ejb().put(key.getBytes(UTF_8), "v2".getBytes(UTF_8)), "an existing key is replaced");
        assertArrayEquals("v2".getBytes(UTF_8), committedValue(key));
        assertEquals(count(after, "xaCommitted"), count(factory().statistics(), "xaCommitted"), "no JTA transaction");
        assertArrayEquals("v2".getBytes(UTF_8), ejb().get(key.getBytes(UTF_8)));
        assertTrue(ejb().delete(key.getBytes(UTF_8)));
        assertNull(committedValue(key));
    }

    @Test
    void aRolledBackJtaTransactionLeavesNothing() throws Exception {
        String key = "it/rollback/" + System.nanoTime();
        UserTransaction utx = lookup("java:comp/UserTransaction", UserTransaction.class);
        long rolledBack = count(factory().statistics(), "xaRolledBack");

        utx.begin();
        try (CairnConnection c = factory().getConnection()) {
            c.put(key, "never".getBytes(UTF_8));
            assertArrayEquals("never".getBytes(UTF_8), c.get(key), "the transaction sees its own write");
        }
        utx.rollback();

        assertNull(committedValue(key));
        assertEquals(rolledBack + 1, count(factory().statistics(), "xaRolledBack"));
    }

    @Test
    void aJtaTransactionCommitsAllOfItsWorkTogether() throws Exception {
        String a = "it/jta/a/" + System.nanoTime();
        String b = "it/jta/b/" + System.nanoTime();
        UserTransaction utx = lookup("java:comp/UserTransaction", UserTransaction.class);
        Map<String, Long> before = factory().statistics();

        utx.begin();
        try (CairnConnection c = factory().getConnection()) {
            c.put(a, "A".getBytes(UTF_8));
        }
        // A second handle in the same transaction shares its connection and work.
        ejb().put(b.getBytes(UTF_8), "B".getBytes(UTF_8));
        utx.commit();

        assertArrayEquals("A".getBytes(UTF_8), committedValue(a));
        assertArrayEquals("B".getBytes(UTF_8), committedValue(b));
        Map<String, Long> after = factory().statistics();
        assertEquals(count(before, "xaCommitted") + 1, count(after, "xaCommitted"), "one branch carried both writes");
        assertEquals(count(before, "commits") + 1, count(after, "commits"), "in one durable engine commit");
    }

    /**
     * A transaction of thousands of writes: the engine looks their old
     * values up on one of the server's threads (a WorkManager Work) while
     * the committing thread applies them. The key count and every value come
     * out as if one thread had done both.
     */
    @Test
    void aLargeTransactionCountsItsKeysAndKeepsEveryValue() throws Exception {
        String prefix = "it/large/" + System.nanoTime() + "/";
        UserTransaction utx = lookup("java:comp/UserTransaction", UserTransaction.class);
        long keys = count(factory().statistics(), "keys");

        utx.begin();
        try (CairnConnection c = factory().getConnection()) {
            for (int i = 0; i < 1000; i++) {
                c.put(prefix + i, ("a" + i).getBytes(UTF_8));
            }
        }
        utx.commit();
        assertEquals(keys + 1000, count(factory().statistics(), "keys"));

        // Overwrite 500, delete 250, leave 250, add 1000 (and delete 10 that never were).
        utx.begin();
        try (CairnConnection c = factory().getConnection()) {
            for (int i = 0; i < 2010; i++) {
                if (i < 500 || (i >= 1000 && i < 2000)) {
                    c.put(prefix + i, ("b" + i).getBytes(UTF_8));
                } else if (i < 750 || i >= 2000) {
                    c.delete(prefix + i);
                }
            }
        }
        utx.commit();
        assertEquals(keys + 1000 - 250 + 1000, count(factory().statistics(), "keys"));
        try (CairnConnection c = factory().getConnection()) {
            for (int i = 0; i < 2010; i++) {
                String expected = i < 500 || (i >= 1000 && i < 2000) ? "b" + i : i >= 750 && i < 1000 ? "a" + i : null;
                assertArrayEquals(expected == null ? null : expected.getBytes(UTF_8), c.get(prefix + i), "key " + i);
            }
        }
    }

    @Test
    void errorsReachTheCallerByTypeAndAClosedHandleSaysSo() throws Exception {
        InvalidKeyException e = assertThrows(InvalidKeyException.class,
                () -> ejb().put(new byte[300], "x".getBytes(UTF_8)));
        assertTrue(e.getMessage().contains("300 bytes"), e.getMessage());

        CairnConnection c = factory().getConnection();
        c.close();
        assertThrows(ConnectionClosedException.class, () -> c.get("anything"));
    }
}
