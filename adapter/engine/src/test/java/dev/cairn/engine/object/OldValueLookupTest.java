package dev.cairn.engine.object;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.engine.BlockStore;
import dev.cairn.api.CairnException;
import dev.cairn.api.StoreClosedException;
import dev.cairn.engine.StoreConfig;
import dev.cairn.api.StoreFullException;
import dev.cairn.engine.ThreadWorkers;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.disk.ForwardingChannel;
import dev.cairn.engine.tree.Msg;
import dev.cairn.engine.tree.RootMemo;
import dev.cairn.engine.tree.Tree;
import dev.cairn.engine.tree.TreeWriter;
import dev.cairn.engine.work.Workers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit's old values looked up on another thread are the values the
 * committer would have found itself, and the commit never waits for a thread
 * it was not given.
 *
 * <p>A committer that waits for a lookup no thread runs waits for ever (a
 * join does not hear interrupts): each test fails after a minute instead.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OldValueLookupTest {

    @TempDir
    Path dir;

    private static final String LOOKUP = "cairn-lookup";

    /** A tree of key0..key1999 (even ones only), and the keys 0..3999 to look up. */
    private static Bptr fill(BlockStore s) {
        TreeWriter w = new TreeWriter(s, Bptr.NONE);
        for (int i = 0; i < 4000; i += 2) {
            w.apply(Msg.put(key(i), ("v" + i).getBytes(StandardCharsets.UTF_8)));
        }
        Bptr root = w.finish();
        w.commit();
        s.sync(List.of(root));
        return root;
    }

    private static byte[][] keys() {
        byte[][] keys = new byte[4000][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = key(3999 - i); // not in key order: the lookup sorts them
        }
        return keys;
    }

    private static byte[] key(int i) {
        return String.format("key%05d", i).getBytes(StandardCharsets.UTF_8);
    }

    private static void assertFound(byte[][] values) {
        for (int i = 0; i < values.length; i++) {
            int k = 3999 - i;
            if (k % 2 == 0) {
                assertArrayEquals(("v" + k).getBytes(StandardCharsets.UTF_8), values[i], "key " + k);
            } else {
                assertEquals(null, values[i], "key " + k);
            }
        }
    }

    /** Workers that hand lookups to {@code lookups} and every other task (the syncers') to real threads. */
    private static StoreConfig config(Workers lookups) {
        Workers real = ThreadWorkers.shared();
        return StoreConfig.defaults().sizeBytes(32L << 20).workers((name, task) -> {
            if (name.equals(LOOKUP)) {
                lookups.run(name, task);
            } else {
                real.run(name, task);
            }
        });
    }

    /** {@code c}, its file's positioned reads counted in {@code reads} (what the cache did not have). */
    private static StoreConfig countingReads(StoreConfig c, AtomicInteger reads) {
        return c.channelOpener((p, o) -> new ForwardingChannel(FileChannel.open(p, o)) {
            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                reads.incrementAndGet();
                return super.read(dst, position);
            }
        });
    }

    @Test
    void aLookupNoWorkerHasBegunIsTheCommittersOwn() {
        List<Runnable> held = new ArrayList<>();
        try (BlockStore s = BlockStore.create(dir.resolve("held.cairn"), config((name, task) -> held.add(task)))) {
            Bptr root = fill(s);
            OldValueLookup lookup = OldValueLookup.offered(s, root, keys());
            assertTrue(lookup.offeredElsewhere());
            // The worker never comes (a busy pool): the committer must not wait for it.
            assertFound(lookup.values());
            assertEquals(1, held.size());
        }
    }

    /**
     * A commit that fails before it needs the old values abandons the
     * lookup: a worker that comes later must not read the old tree, which
     * later commits may be freeing by then. Counted in reads of the file by
     * a store opened afresh (nothing cached, so a lookup must read).
     */
    @Test
    void aLookupAbandonedBeforeAWorkerBeganIsNeverRun() {
        Path file = dir.resolve("abandoned.cairn");
        Bptr root;
        try (BlockStore s = BlockStore.create(file, config(ThreadWorkers.shared()))) {
            root = fill(s);
        }
        AtomicInteger reads = new AtomicInteger();
        List<Runnable> held = new ArrayList<>();
        StoreConfig counting = countingReads(config((name, task) -> held.add(task)), reads);
        try (BlockStore s = BlockStore.open(file, counting)) {
            OldValueLookup abandoned = OldValueLookup.offered(s, root, keys());
            abandoned.abandon();
            int before = reads.get();
            held.get(0).run();
            assertEquals(before, reads.get(), "the worker read the old tree after the commit gave up");
            // The same, not abandoned, does read: the count would have seen it.
            OldValueLookup kept = OldValueLookup.offered(s, root, keys());
            held.get(1).run();
            assertTrue(reads.get() > before, "a lookup read nothing from a store with nothing cached");
            assertFound(kept.values());
        }
    }

    /** The same through a commit: one that fails while applying its new values (the store is full) leaves no lookup behind. */
    @Test
    void aCommitThatFailsBeforeItNeedsItsOldValuesLeavesNoLookupBehind() {
        Path file = dir.resolve("full.cairn");
        Bptr root;
        StoreConfig small = config(ThreadWorkers.shared()).sizeBytes(4L << 20);
        try (BlockStore s = BlockStore.create(file, small)) {
            root = fill(s);
        }
        AtomicInteger reads = new AtomicInteger();
        List<Runnable> held = new ArrayList<>();
        StoreConfig counting = countingReads(config((name, task) -> held.add(task)).sizeBytes(4L << 20), reads);
        try (BlockStore s = BlockStore.open(file, counting)) {
            List<Map.Entry<byte[], Object>> writes = new ArrayList<>();
            for (byte[] k : keys()) {
                writes.add(Map.entry(k, "new".getBytes(StandardCharsets.UTF_8)));
            }
            writes.add(Map.entry(key(99_999), new byte[8 << 20])); // more than the store holds
            assertThrows(StoreFullException.class, () -> ObjectWriter.apply(s, root, writes, s::free, new RootMemo()));
            int before = reads.get();
            assertEquals(1, held.size(), "the lookup was not offered to a worker");
            held.get(0).run();
            assertEquals(before, reads.get(), "a lookup ran on after its commit failed");
        }
    }

    @Test
    void aLookupNoThreadCanBeHadForIsTheCommittersOwn() {
        Workers refusing = (name, task) -> {
            throw new CairnException("no threads left for " + name);
        };
        try (BlockStore s = BlockStore.create(dir.resolve("refused.cairn"), config(refusing))) {
            Bptr root = fill(s);
            OldValueLookup lookup = OldValueLookup.offered(s, root, keys());
            assertFalse(lookup.offeredElsewhere(), "a lookup no worker took counts as offered elsewhere");
            assertFound(lookup.values());
        }
    }

    /** Runs each task on a thread of its own and waits for it: the lookup is done when it is offered. */
    private static final Workers AT_ONCE = (name, task) -> {
        Thread t = new Thread(task, name);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    };

    @Test
    void aWorkersLookupGivesTheCommitterItsValues() {
        BlockStore s = BlockStore.create(dir.resolve("worker.cairn"), config(AT_ONCE));
        OldValueLookup lookup;
        Bptr root;
        try {
            root = fill(s);
            lookup = OldValueLookup.offered(s, root, keys());
            assertTrue(lookup.offeredElsewhere());
        } finally {
            s.close();
        }
        // The store is closed: only values the worker already found can be had.
        assertThrows(StoreClosedException.class, () -> OldValueLookup.here(s, root, keys()).values());
        assertFound(lookup.values());
    }

    @Test
    void aWorkersLookupFailsTheCommitAsTheCommittersOwnWould() {
        BlockStore s = BlockStore.create(dir.resolve("fails.cairn"), config(AT_ONCE));
        CairnException own;
        OldValueLookup lookup;
        try {
            Bptr root = fill(s);
            Bptr stray = new Bptr(root.addr() + (1L << 40), root.hash(), root.gen()); // past the file's end
            own = assertThrows(CairnException.class, () -> Tree.getAll(s, stray, keys()));
            lookup = OldValueLookup.offered(s, stray, keys());
        } finally {
            s.close();
        }
        // Closed, the store would tell the committer so: the failure is the worker's.
        CairnException relayed = assertThrows(CairnException.class, lookup::values);
        assertEquals(own.getClass(), relayed.getClass());
        assertEquals(own.getMessage(), relayed.getMessage());
    }
}
