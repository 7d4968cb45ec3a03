package dev.cairn.ra;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.CairnStoreMXBean;
import dev.cairn.engine.Store;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.Txn;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.sync.Superblock;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.management.MBeanServer;
import javax.management.Notification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's MBean makes a mount that passed over the newest sync visible:
 * attributes, figures, and a notification, which a listener subscribing
 * after the store opened receives too.
 */
class CairnStoreAdminTest {

    private static final StoreConfig CFG = StoreConfig.defaults().sizeBytes(4L << 20).arenas(2).cacheBytes(1 << 20);

    @TempDir
    Path dir;

    /**
     * A copy of an open store after a commit, as a crash would leave it,
     * with every block the newest sync lists spoiled: that sync's commit is
     * exactly what a mount must pass over. (No sync before it can reach
     * those blocks: copy-on-write never rewrites a block a durable root reaches.)
     */
    private Path crashedWithTheNewestSyncSpoiled() throws IOException {
        Path file = dir.resolve("s.cairn");
        Path copy = dir.resolve("crashed.cairn");
        try (Store s = Store.create(file, CFG)) {
            for (int i = 0; i < 3; i++) {
                try (Txn t = s.begin()) {
                    t.put(("k" + i).getBytes(UTF_8), ("v" + i).getBytes(UTF_8));
                    t.commit();
                }
            }
            Files.copy(file, copy);
        }
        try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            Superblock newest = null;
            for (int slot = 0; slot < 2; slot++) {
                ByteBuffer buf = ByteBuffer.allocate(BlockFormat.BLOCK_SIZE);
                ch.read(buf, Superblock.slotAddr(slot, size));
                Superblock sb = Superblock.unpack(buf.array());
                if (sb != null && (newest == null || sb.syncGen() > newest.syncGen())) {
                    newest = sb;
                }
            }
            assertTrue(newest.manifest() != null && newest.manifest().size() > 0, "the newest sync lists its blocks");
            for (long addr : newest.manifest().addrs()) {
                ByteBuffer one = ByteBuffer.allocate(1);
                ch.read(one, addr + 100);
                one.put(0, (byte) (one.get(0) ^ 0x10)).rewind();
                ch.write(one, addr + 100);
            }
        }
        return copy;
    }

    @Test
    void aRolledBackMountShowsInTheAttributesTheFiguresAndANotification() throws Exception {
        try (Store s = Store.open(crashedWithTheNewestSyncSpoiled(), CFG)) {
            CairnStoreAdmin admin = new CairnStoreAdmin(s, new ChangeDeliveries());
            assertTrue(admin.isRolledBack());
            assertEquals(s.generation() + 1, admin.getRolledBackGeneration());
            assertTrue(admin.getRolledBackAddress() > 0, "the block that failed: " + admin.getRolledBackAddress());
            Map<String, Long> figures = StoreFigures.of(s);
            assertEquals(1L, figures.get("rolledBack"));
            assertEquals(admin.getRolledBackGeneration(), figures.get("rolledBackGeneration"));
            assertEquals(admin.getRolledBackAddress(), figures.get("rolledBackAddress"));

            List<Notification> heard = new ArrayList<>();
            admin.addNotificationListener((n, handback) -> heard.add(n), null, null);
            assertEquals(1, heard.size(), "a listener subscribing after the open hears of it at once");
            Notification n = heard.get(0);
            assertEquals(CairnStoreMXBean.ROLLED_BACK_NOTIFICATION, n.getType());
            assertTrue(n.getMessage().contains("passing over generation " + admin.getRolledBackGeneration())
                    && n.getMessage().contains(String.format("0x%x", admin.getRolledBackAddress()))
                    && n.getMessage().contains("may have been acknowledged"), n.getMessage());
            assertEquals(admin.getRolledBackGeneration(), ((Map<?, ?>) n.getUserData()).get("rolledBackGeneration"));
        }
    }

    /** Through the platform MBean server, as a console subscribes. */
    @Test
    void aConsoleSubscribingThroughTheMBeanServerHearsOfIt() throws Exception {
        try (Store s = Store.open(crashedWithTheNewestSyncSpoiled(), CFG)) {
            CairnStoreAdmin admin = CairnStoreAdmin.register(s, new ChangeDeliveries());
            try {
                MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                List<Notification> heard = new ArrayList<>();
                server.addNotificationListener(CairnStoreAdmin.objectName(s), (n, h) -> heard.add(n), null, null);
                assertEquals(1, heard.size());
                assertEquals(CairnStoreMXBean.ROLLED_BACK_NOTIFICATION, heard.get(0).getType());
                assertEquals(Boolean.TRUE, server.getAttribute(CairnStoreAdmin.objectName(s), "RolledBack"));
            } finally {
                admin.unregister();
            }
        }
    }

    @Test
    void aCleanMountSendsNothing() throws Exception {
        Path file = dir.resolve("clean.cairn");
        try (Store s = Store.create(file, CFG)) {
            CairnStoreAdmin admin = new CairnStoreAdmin(s, new ChangeDeliveries());
            assertFalse(admin.isRolledBack());
            assertEquals(-1, admin.getRolledBackGeneration());
            assertEquals(0L, StoreFigures.of(s).get("rolledBack"));
            List<Notification> heard = new ArrayList<>();
            admin.addNotificationListener((n, handback) -> heard.add(n), null, null);
            assertTrue(heard.isEmpty());
        }
    }

    @Test
    void theMBeanBacksUpToAFileAndReceivesFromOneAndSaysWhyWhenItCannot() throws Exception {
        Path backup = dir.resolve("monday.stream");
        try (Store s = Store.create(dir.resolve("a.cairn"), CFG)) {
            try (Txn t = s.begin()) {
                t.put("k".getBytes(UTF_8), "v".getBytes(UTF_8));
                t.commit();
            }
            s.createSnapshot("monday");
            CairnStoreAdmin admin = new CairnStoreAdmin(s, new ChangeDeliveries());
            String sent = admin.sendSnapshotToFile("monday", "", backup.toString());
            assertTrue(sent.contains("1 puts"), sent);
            IllegalStateException exists = assertThrows(IllegalStateException.class,
                    () -> admin.sendSnapshotToFile("monday", "", backup.toString()));
            assertTrue(exists.getMessage().contains("the file exists"), exists.getMessage());
            IllegalStateException none = assertThrows(IllegalStateException.class,
                    () -> admin.sendSnapshotToFile("tuesday", "", dir.resolve("t.stream").toString()));
            assertTrue(none.getMessage().contains("tuesday"), none.getMessage());
            assertFalse(Files.exists(dir.resolve("t.stream")), "no file left from a failed send");
        }
        Path damaged = dir.resolve("damaged.stream");
        byte[] bytes = Files.readAllBytes(backup);
        bytes[bytes.length - 3] ^= 1;
        Files.write(damaged, bytes);
        try (Store s = Store.create(dir.resolve("b.cairn"), CFG)) {
            CairnStoreAdmin admin = new CairnStoreAdmin(s, new ChangeDeliveries());
            IllegalStateException bad = assertThrows(IllegalStateException.class,
                    () -> admin.receiveSnapshotFromFile(damaged.toString()));
            assertTrue(bad.getMessage().contains("corrupt") && bad.getMessage().contains("nothing was changed"), bad.getMessage());
            assertEquals(0L, s.stats().keys());
            s.standby().follow("http://primary/cairn");
            IllegalStateException standby = assertThrows(IllegalStateException.class,
                    () -> admin.receiveSnapshotFromFile(backup.toString()));
            assertTrue(standby.getMessage().contains("standby of http://primary/cairn"), standby.getMessage());
            assertTrue(admin.promote().contains("no longer a standby of http://primary/cairn"));
            IllegalStateException relative = assertThrows(IllegalStateException.class,
                    () -> admin.receiveSnapshotFromFile("relative.stream"));
            assertTrue(relative.getMessage().contains("absolute path"), relative.getMessage());
            assertTrue(Files.exists(CairnStoreAdmin.promotedMarker(s.path())), "promotion outlives a restart");
            String got = admin.receiveSnapshotFromFile(backup.toString());
            assertTrue(got.contains("received snapshot monday"), got);
            try (Txn t = s.begin()) {
                assertEquals("v", new String(t.get("k".getBytes(UTF_8)), UTF_8));
            }
        }
    }
}
