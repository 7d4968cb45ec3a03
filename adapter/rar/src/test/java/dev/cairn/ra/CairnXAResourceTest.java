package dev.cairn.ra;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.engine.Store;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.Txn;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The adapter's XAResource against a real store file, driven as a transaction manager drives it. */
class CairnXAResourceTest {

    private static final StoreConfig CFG = StoreConfig.defaults().sizeBytes(32L << 20).cacheBytes(2L << 20);

    @TempDir
    Path dir;

    private Store store;
    private XaBranches branches;
    private final TransactionCounters counters = new TransactionCounters();

    private record TestXid(int getFormatId, byte[] getGlobalTransactionId, byte[] getBranchQualifier) implements Xid {
    }

    private static Xid xid(String gtrid) {
        return new TestXid(4711, gtrid.getBytes(UTF_8), new byte[] {1, 2});
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private void open() {
        store = Store.openOrCreate(dir.resolve("xa.cairn"), CFG);
        branches = new XaBranches(store);
    }

    private CairnManagedConnection connection() {
        return new CairnManagedConnection(new CairnManagedConnectionFactory(), branches, counters);
    }

    private byte[] committed(String key) {
        try (Txn t = store.begin()) {
            return t.get(b(key));
        }
    }

    private static void assertXa(int code, Executable call) {
        XAException e = assertThrows(XAException.class, call);
        assertEquals(code, e.errorCode, "XA error code; message: " + e.getMessage());
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void aPreparedBranchSurvivesARestartIsRecoveredAndCommits() throws Exception {
        open();
        CairnManagedConnection mc = connection();
        XAResource xa = mc.getXAResource();
        Xid x = xid("g1");
        xa.start(x, XAResource.TMNOFLAGS);
        mc.put(b("k"), b("v"), null);
        assertArrayEquals(b("v"), mc.get(b("k")), "the branch sees its own write");
        xa.end(x, XAResource.TMSUCCESS);
        assertNull(mc.get(b("k")), "after end the connection works outside the branch");
        assertEquals(XAResource.XA_OK, xa.prepare(x));
        assertNull(committed("k"), "prepared is not published");

        store.close(); // the server dies between prepare and commit
        open();
        XAResource after = connection().getXAResource();
        Xid[] inDoubt = after.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
        assertEquals(1, inDoubt.length);
        assertEquals(4711, inDoubt[0].getFormatId());
        assertArrayEquals(b("g1"), inDoubt[0].getGlobalTransactionId());
        assertArrayEquals(new byte[] {1, 2}, inDoubt[0].getBranchQualifier());
        assertEquals(0, after.recover(XAResource.TMNOFLAGS).length, "the whole list came in the first answer");

        after.commit(inDoubt[0], false);
        assertArrayEquals(b("v"), committed("k"));
        assertEquals(0, after.recover(XAResource.TMSTARTRSCAN).length);
        assertXa(XAException.XAER_NOTA, () -> after.commit(x, false));
        assertEquals(1, counters.xaPrepared.get());
        assertEquals(1, counters.xaCommitted.get());
    }

    @Test
    void aStoreThatCannotWriteAnswersRmfailAndKeepsItsPreparedBranchForRecovery() throws Exception {
        AtomicReference<dev.cairn.engine.disk.FaultyChannel> disk = new AtomicReference<>();
        store = Store.openOrCreate(dir.resolve("xa.cairn"), CFG.channelOpener((path, options) -> {
            disk.set(new dev.cairn.engine.disk.FaultyChannel(FileChannel.open(path, options)));
            return disk.get();
        }));
        branches = new XaBranches(store);
        CairnManagedConnection mc = connection();
        XAResource xa = mc.getXAResource();
        Xid prepared = xid("prepared-before");
        xa.start(prepared, XAResource.TMNOFLAGS);
        mc.put(b("a"), b("decided"), null);
        xa.end(prepared, XAResource.TMSUCCESS);
        assertEquals(XAResource.XA_OK, xa.prepare(prepared));

        disk.get().forcesUntilFailure.set(0); // the next fsync fails: the store turns read-only
        Xid late = xid("prepared-after");
        xa.start(late, XAResource.TMNOFLAGS);
        mc.put(b("b"), b("lost"), null);
        xa.end(late, XAResource.TMSUCCESS);
        assertXa(XAException.XAER_RMFAIL, () -> xa.prepare(late));
        assertTrue(store.isReadOnly());
        assertTrue(store.readOnlyReason().contains("injected fsync failure"), store.readOnlyReason());
        // Whether the failed prepare reached the disk is unknown until a restart reads it back, so the
        // transaction manager must keep both outcomes and retry them then, not take them as done.
        assertXa(XAException.XAER_RMFAIL, () -> xa.rollback(late));
        assertXa(XAException.XAER_RMFAIL, () -> xa.commit(prepared, false));
        Xid refused = xid("prepared-when-read-only");
        xa.start(refused, XAResource.TMNOFLAGS);
        mc.put(b("c"), b("refused"), null);
        xa.end(refused, XAResource.TMSUCCESS);
        assertXa(XAException.XAER_RMFAIL, () -> xa.prepare(refused));
        assertXa(XAException.XAER_NOTA, () -> xa.rollback(refused)); // refused before writing: nothing to retry
        assertEquals(4, counters.xaFailed.get());

        store.close(); // the restart that recovers a read-only store
        open();
        XAResource after = connection().getXAResource();
        // The failed fsync came after the prepare's superblock was written, and the file
        // kept it: the restart reads the late branch back as in doubt, and its rollback,
        // retried by the transaction manager, now goes through.
        Set<String> inDoubt = new TreeSet<>();
        for (Xid x : after.recover(XAResource.TMSTARTRSCAN)) {
            inDoubt.add(new String(x.getGlobalTransactionId(), StandardCharsets.UTF_8));
        }
        assertEquals(Set.of("prepared-before", "prepared-after"), inDoubt);
        after.commit(prepared, false);
        after.rollback(late);
        assertXa(XAException.XAER_NOTA, () -> after.rollback(late));
        assertArrayEquals(b("decided"), committed("a"));
        assertNull(committed("b"));
    }

    @Test
    void rollingBackAPreparedBranchLeavesNothingAndFreesItsKeys() throws Exception {
        open();
        CairnManagedConnection mc = connection();
        XAResource xa = mc.getXAResource();
        Xid x = xid("g2");
        xa.start(x, XAResource.TMNOFLAGS);
        mc.put(b("held"), b("prepared"), null);
        xa.end(x, XAResource.TMSUCCESS);
        xa.prepare(x);

        // While prepared its key is held: a local writer of it conflicts.
        CairnManagedConnection other = connection();
        assertThrows(dev.cairn.api.WriteConflictException.class, () -> other.put(b("held"), b("intruder"), null));

        xa.rollback(x);
        assertNull(committed("held"));
        other.put(b("held"), b("after"), null);
        assertArrayEquals(b("after"), committed("held"));
        assertXa(XAException.XAER_NOTA, () -> xa.rollback(x));
    }

    @Test
    void aBranchThatWroteNothingIsReadOnlyAndLeavesNoRecord() throws Exception {
        open();
        CairnManagedConnection mc = connection();
        XAResource xa = mc.getXAResource();
        Xid x = xid("g3");
        xa.start(x, XAResource.TMNOFLAGS);
        mc.get(b("anything"));
        xa.end(x, XAResource.TMSUCCESS);
        assertEquals(XAResource.XA_RDONLY, xa.prepare(x));
        assertEquals(0, xa.recover(XAResource.TMSTARTRSCAN).length);
        assertEquals(0, store.stats().prepared());
    }

    @Test
    void onePhaseCommitPublishesAndAConflictRollsBack() throws Exception {
        open();
        CairnManagedConnection mc = connection();
        XAResource xa = mc.getXAResource();
        Xid x = xid("g4");
        xa.start(x, XAResource.TMNOFLAGS);
        mc.put(b("one"), b("1"), null);
        xa.end(x, XAResource.TMSUCCESS);
        xa.commit(x, true);
        assertArrayEquals(b("1"), committed("one"));

        Xid y = xid("g5");
        xa.start(y, XAResource.TMNOFLAGS);
        assertArrayEquals(b("1"), mc.get(b("one"))); // the branch reads the key: a later commit of it conflicts
        mc.put(b("one"), b("loser"), null);
        xa.end(y, XAResource.TMSUCCESS);
        connection().put(b("one"), b("winner"), null); // commits first
        assertXa(XAException.XA_RBROLLBACK, () -> xa.commit(y, true));
        assertArrayEquals(b("winner"), committed("one"));

        Xid z = xid("g6");
        xa.start(z, XAResource.TMNOFLAGS);
        assertTrue(mc.exists(b("one")));
        mc.put(b("one"), b("loser too"), null);
        xa.end(z, XAResource.TMSUCCESS);
        connection().put(b("one"), b("winner again"), null);
        assertXa(XAException.XA_RBROLLBACK, () -> xa.prepare(z));
        assertEquals(0, store.stats().prepared());
        assertArrayEquals(b("winner again"), committed("one"));
    }

    @Test
    void aFailedBranchCanOnlyRollBack() throws Exception {
        open();
        CairnManagedConnection mc = connection();
        XAResource xa = mc.getXAResource();
        Xid x = xid("g7");
        xa.start(x, XAResource.TMNOFLAGS);
        mc.put(b("f"), b("x"), null);
        xa.end(x, XAResource.TMFAIL);
        assertXa(XAException.XA_RBROLLBACK, () -> xa.prepare(x));
        assertNull(committed("f"));
        assertEquals(0, store.stats().prepared());
    }

    @Test
    void aSecondConnectionJoinsTheSameBranch() throws Exception {
        open();
        CairnManagedConnection first = connection();
        CairnManagedConnection second = connection();
        XAResource a = first.getXAResource();
        XAResource b = second.getXAResource();
        assertTrue(a.isSameRM(b), "two connections to one store are one resource manager");
        Xid x = xid("g8");
        a.start(x, XAResource.TMNOFLAGS);
        first.put(b("p"), b("from first"), null);
        b.start(x, XAResource.TMJOIN);
        assertArrayEquals(b("from first"), second.get(b("p")), "the joined connection sees the branch's work");
        second.put(b("q"), b("from second"), null);
        a.end(x, XAResource.TMSUCCESS);
        b.end(x, XAResource.TMSUCCESS);
        assertEquals(XAResource.XA_OK, b.prepare(x));
        a.commit(x, false);
        assertArrayEquals(b("from first"), committed("p"));
        assertArrayEquals(b("from second"), committed("q"));
    }

    @Test
    void protocolErrorsAreNamed() throws Exception {
        open();
        CairnManagedConnection mc = connection();
        XAResource xa = mc.getXAResource();
        Xid x = xid("g9");
        xa.start(x, XAResource.TMNOFLAGS);
        assertXa(XAException.XAER_DUPID, () -> connection().getXAResource().start(x, XAResource.TMNOFLAGS));
        assertXa(XAException.XAER_PROTO, () -> xa.start(xid("other"), XAResource.TMNOFLAGS));
        mc.put(b("k"), b("v"), null);
        xa.end(x, XAResource.TMSUCCESS);
        assertXa(XAException.XAER_PROTO, () -> xa.commit(x, false));
        assertXa(XAException.XAER_NOTA, () -> xa.prepare(xid("never")));
        assertXa(XAException.XAER_NOTA, () -> xa.start(xid("never"), XAResource.TMJOIN));
        xa.rollback(x);
        assertNull(committed("k"));
        assertFalse(xa.setTransactionTimeout(30));
    }

    @Test
    void thePoolIsToldAboutConnectionsToAClosedStore() throws Exception {
        open();
        CairnManagedConnection mc = connection();
        CairnManagedConnectionFactory mcf = new CairnManagedConnectionFactory();
        assertTrue(mcf.getInvalidConnections(Set.of(mc)).isEmpty());
        store.close();
        assertEquals(Set.of(mc), mcf.getInvalidConnections(Set.of(mc)));
        store = null;
    }
}
