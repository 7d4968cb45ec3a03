package dev.cairn.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cairn.api.CairnConnection;
import dev.cairn.api.CairnConnectionFactory;
import jakarta.transaction.RollbackException;
import jakarta.transaction.UserTransaction;
import java.io.IOException;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two real XA resources in one JTA transaction of Liberty's transaction
 * manager: Cairn through its adapter's XAResource and an embedded Derby
 * database through Liberty's JDBC support. Both or neither, every time.
 */
@ExtendWith(ArquillianExtension.class)
class XaIT {

    @Deployment
    static EnterpriseArchive ear() throws IOException {
        return Deployments.shippedEarWithTestModule(XaIT.class, DerbyRows.class);
    }

    private static <T> T lookup(String name, Class<T> type) throws NamingException {
        return type.cast(new InitialContext().lookup(name));
    }

    private CairnConnectionFactory cairn;
    private DerbyRows rows;
    private UserTransaction utx;

    @BeforeEach
    void resources() throws Exception {
        cairn = lookup("eis/cairn", CairnConnectionFactory.class);
        rows = new DerbyRows(lookup("jdbc/derbyIT", DataSource.class));
        rows.createTable();
        utx = lookup("java:comp/UserTransaction", UserTransaction.class);
    }

    private byte[] cairnValue(String key) {
        try (CairnConnection c = cairn.getConnection()) {
            return c.get(key);
        }
    }

    private long figure(String name) {
        return cairn.statistics().get(name);
    }

    @Test
    void aCommittedTransactionReachesBothAndIsPreparedInBoth() throws Exception {
        String key = "xa/commit/" + System.nanoTime();
        long prepared = figure("xaPrepared");
        long committed = figure("xaCommitted");

        utx.begin();
        try (CairnConnection c = cairn.getConnection()) {
            c.put(key, "both".getBytes(UTF_8));
        }
        rows.insert(key, "both");
        utx.commit();

        assertArrayEquals("both".getBytes(UTF_8), cairnValue(key));
        assertEquals("both", rows.value(key));
        assertEquals(prepared + 1, figure("xaPrepared"), "two resources: Cairn's branch was prepared, then committed");
        assertEquals(committed + 1, figure("xaCommitted"));
        assertEquals(0, figure("prepared"), "nothing is left in doubt");
    }

    @Test
    void aRolledBackTransactionReachesNeither() throws Exception {
        String key = "xa/rollback/" + System.nanoTime();
        long rolledBack = figure("xaRolledBack");

        utx.begin();
        try (CairnConnection c = cairn.getConnection()) {
            c.put(key, "never".getBytes(UTF_8));
        }
        rows.insert(key, "never");
        utx.rollback();

        assertNull(cairnValue(key));
        assertNull(rows.value(key));
        assertEquals(rolledBack + 1, figure("xaRolledBack"));
    }

    @Test
    void aWriteConflictAtCairnsPrepareRollsBackTheDatabaseToo() throws Exception {
        String key = "xa/conflict/" + System.nanoTime();

        utx.begin();
        try (CairnConnection c = cairn.getConnection()) {
            assertNull(c.get(key)); // it reads the key, so a commit of it since this began conflicts
            c.put(key, "loser".getBytes(UTF_8));
        }
        rows.insert(key, "loser");
        // Another transaction commits the same key first (on its own thread, outside this one).
        Thread winner = new Thread(() -> {
            try (CairnConnection c = cairn.getConnection()) {
                c.put(key, "winner".getBytes(UTF_8));
            }
        });
        winner.start();
        winner.join();
        assertThrows(RollbackException.class, utx::commit);

        assertArrayEquals("winner".getBytes(UTF_8), cairnValue(key));
        assertNull(rows.value(key), "the database rolled back with Cairn");
        assertEquals(0, figure("prepared"));
    }

    /** Enlistment is lazy: a connection got inside a transaction and never used takes no part in it. */
    @Test
    void aConnectionNeverUsedInTheTransactionIsNeverEnlisted() throws Exception {
        String key = "xa/unused/" + System.nanoTime();
        long[] before = {figure("xaReadOnly"), figure("xaPrepared"), figure("xaCommitted"), figure("xaRolledBack")};

        utx.begin();
        try (CairnConnection c = cairn.getConnection()) {
            rows.insert(key, "derby only");
        }
        utx.commit();

        assertEquals("derby only", rows.value(key));
        assertArrayEquals(before, new long[] {figure("xaReadOnly"), figure("xaPrepared"), figure("xaCommitted"), figure("xaRolledBack")},
                "Cairn was not enlisted: no branch voted, prepared, committed or rolled back");
    }

    /** A read enlists too (the transaction reads its own snapshot); a branch that only read votes read-only. */
    @Test
    void aConnectionThatOnlyReadsIsEnlistedAndVotesReadOnly() throws Exception {
        String key = "xa/read/" + System.nanoTime();
        long readOnly = figure("xaReadOnly");
        long prepared = figure("xaPrepared");

        utx.begin();
        try (CairnConnection c = cairn.getConnection()) {
            assertNull(c.get(key));
        }
        rows.insert(key, "read");
        utx.commit();

        assertEquals(readOnly + 1, figure("xaReadOnly"), "Cairn's branch voted XA_RDONLY at prepare");
        assertEquals(prepared, figure("xaPrepared"));
    }
}
