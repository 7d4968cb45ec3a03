package dev.cairn.engine.backup;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.ReadOnlyStoreException;
import dev.cairn.engine.Store;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.Txn;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A standby takes its primary's streams and refuses every other write, naming its primary, until promoted. */
class StandbyTest {

    private static final StoreConfig CFG = StoreConfig.defaults().sizeBytes(64L << 20).cacheBytes(4L << 20);

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private static byte[] stream(Store s, String name, String from) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotSender.send(s, name, from, out);
        return out.toByteArray();
    }

    @Test
    void aStandbyTakesOnlyItsPrimarysStreamsUntilPromoted() throws IOException {
        try (Store primary = Store.create(dir.resolve("p.cairn"), CFG); Store standby = Store.create(dir.resolve("s.cairn"), CFG)) {
            standby.standby().follow("http://primary:9080/cairn");
            ReadOnlyStoreException e;
            try (Txn t = standby.begin()) {
                e = assertThrows(ReadOnlyStoreException.class, () -> t.put(b("k"), b("v")));
            }
            assertTrue(e.getMessage().contains("standby of http://primary:9080/cairn"), e.getMessage());
            try (Txn t = standby.begin()) {
                assertThrows(ReadOnlyStoreException.class, () -> t.putStream(b("k"), new ByteArrayInputStream(b("v"))));
                assertThrows(ReadOnlyStoreException.class, () -> t.delete(b("k")));
            }
            assertThrows(ReadOnlyStoreException.class, () -> standby.createSnapshot("mine"));
            // One commit staged before the store became a standby does not slip in either.
            standby.standby().promote();
            Txn staged = standby.begin();
            staged.put(b("staged"), b("x"));
            standby.standby().follow("http://primary:9080/cairn");
            assertThrows(ReadOnlyStoreException.class, staged::commit);

            try (Txn t = primary.begin()) {
                t.put(b("k"), b("from the primary"));
                t.commit();
            }
            primary.createSnapshot("s1");
            SnapshotReceiver.into(standby, new ByteArrayInputStream(stream(primary, "s1", null)));
            standby.standby().received(System.currentTimeMillis());
            try (Txn t = standby.begin()) {
                assertArrayEquals(b("from the primary"), t.get(b("k")), "reads go on");
                assertNull(t.get(b("staged")));
            }
            assertEquals(1, standby.standby().receives());
            assertTrue(standby.standby().lagSeconds(System.currentTimeMillis()) >= 0);

            // A stream read while the store is promoted is not applied.
            try (Txn t = primary.begin()) {
                t.put(b("late"), b("from the old primary"));
                t.commit();
            }
            primary.createSnapshot("s2");
            byte[] late = stream(primary, "s2", "s1");
            java.io.InputStream promoting = new java.io.FilterInputStream(new ByteArrayInputStream(late)) {
                private boolean done;

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    if (!done) {
                        done = true;
                        standby.standby().promote();
                    }
                    return super.read(buf, off, len);
                }
            };
            dev.cairn.api.InvalidStreamException stopped = assertThrows(dev.cairn.api.InvalidStreamException.class,
                    () -> SnapshotReceiver.into(standby, promoting));
            assertTrue(stopped.getMessage().contains("stopped following"), stopped.getMessage());
            try (Txn t = standby.begin()) {
                assertNull(t.get(b("late")), "nothing of it arrived");
            }
            assertNull(standby.standby().primary());
            try (Txn t = standby.begin()) {
                t.put(b("k"), b("written after promotion"));
                t.commit();
            }
            standby.createSnapshot("mine");
        }
    }
}
