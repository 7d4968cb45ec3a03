package dev.cairn.engine.blocks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.engine.BlockStore;
import dev.cairn.engine.block.BlockFormat;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.block.ReferenceWalker;
import dev.cairn.engine.cache.CachedBlock;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A seeded workload over the block engine with its own model: data blocks
 * whose bytes are derived from a seed, listed in a root-table block that each
 * sync makes the root. The model remembers, per sync generation, exactly
 * which blocks the root reaches, so a test can compare a mounted store with
 * the generation it should be at.
 */
final class Workload {

    private static final byte[] TABLE = "ROOTTABL".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "DATABLOK".getBytes(StandardCharsets.US_ASCII);

    /** Children of a root table: the blocks it lists; data blocks have none. */
    static final ReferenceWalker WALKER = ReferenceWalker.of((bp, block) -> {
        ByteBuffer b = ByteBuffer.wrap(block);
        if (!ByteBuffer.wrap(TABLE).equals(b.slice(0, 8))) {
            return List.of();
        }
        int n = b.getInt(8);
        List<Bptr> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Bptr.unpack(b, 12 + i * Bptr.SIZE));
        }
        return out;
    });

    /** What generation G's root reaches. */
    record State(Bptr root, List<Bptr> live) {
    }

    private final Random rnd;
    private final int maxLive;
    /** Blocks allocated and freed unwritten per step: log traffic without data writes. */
    private int churn;
    final Map<Long, State> states = new HashMap<>();
    private BlockStore store;
    private List<Bptr> live = new ArrayList<>();
    private Bptr root = Bptr.NONE;

    Workload(BlockStore store, long seed, int maxLive) {
        this.store = store;
        this.rnd = new Random(seed);
        this.maxLive = maxLive;
        states.put(store.durableGen(), new State(Bptr.NONE, List.of()));
    }

    Workload churn(int blocksPerStep) {
        this.churn = blocksPerStep;
        return this;
    }

    /** Continues on a store recovered to generation {@code gen} of this model. */
    Workload resumeOn(BlockStore recovered, long gen, long seed) {
        Workload w = new Workload(recovered, seed, maxLive);
        w.states.putAll(states);
        State s = states.get(gen);
        w.live = new ArrayList<>(s.live());
        w.root = s.root();
        return w;
    }

    static void fill(byte[] block, long seed) {
        Random r = new Random(seed);
        r.nextBytes(block);
        System.arraycopy(DATA, 0, block, 0, 8);
    }

    /** Writes, frees and syncs once; returns the sync's generation. */
    long step() {
        int writes = 1 + rnd.nextInt(6);
        for (int i = 0; i < writes && live.size() < maxLive; i++) {
            live.add(writeData(rnd.nextLong()));
        }
        // A block born and freed before any sync: freed at once, never needs writing.
        if (rnd.nextInt(3) == 0) {
            store.free(writeData(rnd.nextLong()));
        }
        List<Bptr> scratch = new ArrayList<>();
        for (int i = 0; i < churn; i++) {
            try (CachedBlock b = store.newBlock(BlockFormat.TYPE_DATA, rnd.nextInt())) {
                scratch.add(new Bptr(b.addr(), 0, b.gen()));
            }
        }
        scratch.forEach(store::free);
        int frees = rnd.nextInt(Math.min(5, live.size() + 1));
        for (int i = 0; i < frees; i++) {
            store.free(live.remove(rnd.nextInt(live.size())));
        }
        Bptr oldRoot = root;
        root = writeTable(live);
        if (!oldRoot.isNone()) {
            store.free(oldRoot);
        }
        // Recorded before the sync: a sync that fails after its superblock
        // reached the disk leaves exactly this state for the next mount.
        long next = store.durableGen() + 1;
        states.put(next, new State(root, List.copyOf(live)));
        long gen = store.sync(List.of(root));
        assertEquals(next, gen);
        return gen;
    }

    /**
     * Syncs the same root again, writing no block: the newest superblock then
     * lists nothing, so every block of the workload is one a mount takes as
     * written, and a corrupt one is reported rather than taken for a crash.
     */
    long settle() {
        long gen = store.sync(List.of(root));
        states.put(gen, new State(root, List.copyOf(live)));
        return gen;
    }

    private Bptr writeData(long seed) {
        try (CachedBlock b = store.newBlock(BlockFormat.TYPE_DATA, rnd.nextInt())) {
            fill(b.data(), seed);
            return store.write(b);
        }
    }

    private Bptr writeTable(List<Bptr> entries) {
        try (CachedBlock b = store.newBlock(BlockFormat.TYPE_DATA, 0)) {
            ByteBuffer buf = ByteBuffer.wrap(b.data());
            buf.put(0, TABLE).putInt(8, entries.size());
            for (int i = 0; i < entries.size(); i++) {
                entries.get(i).pack(buf, 12 + i * Bptr.SIZE);
            }
            return store.write(b);
        }
    }

    /** Asserts that {@code s} holds exactly generation {@code gen} of this model, reading every block. */
    static void assertHolds(BlockStore s, State expected) {
        Bptr root = s.roots().get(0);
        assertEquals(expected.root(), root, "root");
        if (root.isNone()) {
            return;
        }
        List<Bptr> listed;
        try (CachedBlock t = s.read(root)) {
            listed = new ArrayList<>();
            for (ReferenceWalker.Ref r : WALKER.children(root, t.data(), null)) {
                listed.add(r.bp());
            }
        }
        assertEquals(expected.live(), listed, "the root lists the blocks of its generation");
        for (Bptr bp : listed) {
            try (CachedBlock d = s.read(bp)) { // verified against bp's hash on the way in
                assertArrayEquals(DATA, Arrays.copyOf(d.data(), 8));
            }
        }
    }
}
