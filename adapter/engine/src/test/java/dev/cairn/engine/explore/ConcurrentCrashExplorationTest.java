package dev.cairn.engine.explore;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.engine.Store;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.Txn;
import dev.cairn.engine.check.CheckReport;
import dev.cairn.engine.disk.CrashImages;
import dev.cairn.engine.disk.MemoryChannel;
import dev.cairn.engine.disk.RecordingChannel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several committers at once, under the seeded {@link Scheduler}, against a
 * real file whose every write and force is recorded; then every crash state
 * of the run ({@link CrashImages}: forced only, everything issued, torn in
 * flight, random subsets) is mounted and checked. See README.md beside it.
 *
 * <p>Each committer owns its keys, so its own operations are totally ordered
 * and its model says what a mount must show of them: every operation
 * acknowledged before the crash, and the one in flight wholly or not at
 * all, across its keys, its prepared branch and its snapshots. The store as
 * a whole must mount the newest whole superblock's generation (or, when
 * that one may be incomplete, the one before), list exactly the prepared
 * branches, hold nothing else, and pass {@code check()} (nothing leaked).
 */
class ConcurrentCrashExplorationTest {

    private static final long SIZE = 8L << 20;

    @TempDir
    Path dir;

    private int runs;

    @Test
    void everyAcknowledgedOperationOfEveryCommitterSurvivesEveryCrash() {
        // Seed 25 reaches a given-back chunk whose write a syncer still holds (see README.md).
        String seedList = System.getProperty("explore.seeds", "1..8,25");
        int actors = Integer.getInteger("explore.actors", 3);
        int ops = Integer.getInteger("explore.ops", 10);
        int minStates = Integer.getInteger("explore.minStates", 2000);
        long start = System.nanoTime();
        long states = 0;
        long decisions = 0;
        List<Long> seeds = new ArrayList<>();
        for (String s : seedList.split(",")) {
            String[] range = s.trim().split("\\.\\.");
            long lo = Long.parseLong(range[0]);
            long hi = range.length > 1 ? Long.parseLong(range[1]) : lo;
            for (long seed = lo; seed <= hi; seed++) {
                seeds.add(seed);
            }
        }
        List<String> failed = new ArrayList<>();
        AssertionError first = null;
        for (long seed : seeds) {
            try {
                long[] r = explore(seed, actors, ops);
                states += r[0];
                decisions += r[1];
            } catch (AssertionError | RuntimeException x) { // the other seeds still run: the report names every failing one
                AssertionError e = x instanceof AssertionError a ? a : new AssertionError("seed " + seed + ": " + x, x);
                System.out.println("FAILED " + e.getMessage());
                failed.add(e.getMessage());
                first = first == null ? e : first;
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf("concurrent crash exploration: %d seeds (%s), %d committers of %d operations each,"
                + " %d scheduling decisions, %d crash states explored in %.1f s, %d seeds failed%n",
                seeds.size(), seedList, actors, ops, decisions, states, secs, failed.size());
        if (first != null) {
            throw new AssertionError(failed.size() + " of " + seeds.size() + " seeds failed:\n  "
                    + String.join("\n  ", failed), first);
        }
        assertTrue(states >= minStates, "explored " + states + " crash states, fewer than " + minStates);
    }

    /** @return crash states explored, scheduling decisions made */
    private long[] explore(long seed, int actorCount, int ops) {
        Scheduler sched = new Scheduler(seed);
        int preload = Integer.getInteger("explore.preload", seed % 3 == 0 ? 300 : 0);
        ScheduledChannel[] ch = new ScheduledChannel[1];
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(SIZE).arenas(2).syncers(2).cacheBytes(1 << 20)
                .workers(sched)
                .channelOpener((p, o) -> ch[0] = new ScheduledChannel(FileChannel.open(p, o), sched));
        Path file = dir.resolve("s-" + seed + "-" + (runs++) + ".cairn"); // a seed may be listed twice, to see it replay
        List<Actor> actors = new ArrayList<>();
        List<long[]> acknowledged = new ArrayList<>();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        int firstEvent;
        try (Store s = Store.create(file, cfg)) {
            firstEvent = ch[0].eventCount();
            for (int i = 0; i < actorCount; i++) {
                Actor a = new Actor(i, new Random(seed * 1000 + i), sched::point, preload);
                actors.add(a);
                sched.spawn("committer-" + i, () -> {
                    try {
                        for (int n = 0; n < ops; n++) {
                            sched.point();
                            a.step(s, n);
                            long gen = s.generation(); // before the count: its force is behind it
                            int at = ch[0].eventCount();
                            a.acks.add(at);
                            synchronized (acknowledged) {
                                acknowledged.add(new long[] {at, gen});
                            }
                        }
                    } catch (Throwable t) {
                        failures.add(new AssertionError("seed " + seed + ", committer " + a.id + ": " + t, t));
                    }
                });
            }
            sched.runToEnd();
        }
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.peek().getMessage(), failures.peek());
        }
        acknowledged.sort(Comparator.comparingLong(x -> x[0]));
        for (int i = 1; i < acknowledged.size(); i++) { // a generation read earlier by another committer
            acknowledged.get(i)[1] = Math.max(acknowledged.get(i)[1], acknowledged.get(i - 1)[1]);
        }
        List<RecordingChannel.Event> events = ch[0].events();
        StoreConfig mem = StoreConfig.defaults().sizeBytes(SIZE).arenas(2).syncers(2).cacheBytes(1 << 20);
        int explored = CrashImages.explore(events, firstEvent, SIZE, acknowledged, seed,
                (image, expected, fallback, where, index) -> {
                    String at = "seed " + seed + ", " + where;
                    try (Store s = Store.open(dir.resolve("image"), mem.channelOpener((p, o) -> new MemoryChannel(image)))) {
                        long gen = s.generation();
                        if (gen != expected && gen != fallback) {
                            throw new AssertionError(at + ": mounted generation " + gen);
                        }
                        int crash = Integer.parseInt(where.replaceAll("^crash before event (\\d+) .*$", "$1"));
                        Mounted m = Mounted.read(s);
                        for (Actor a : actors) {
                            a.assertOneOf(m, crash, at);
                        }
                        if (m.foreignKeys > 0) {
                            throw new AssertionError(at + ": " + m.foreignKeys + " keys no committer wrote");
                        }
                        CheckReport r = s.check();
                        if (!r.ok()) {
                            throw new AssertionError(at + ": " + r);
                        }
                        if (index % 97 == 0) {
                            for (byte[] xid : s.recover()) {
                                s.rollbackPrepared(xid);
                            }
                            try (Txn t = s.begin()) {
                                t.put(b("resumed"), new byte[5000]);
                                t.commit();
                            }
                            CheckReport r2 = s.check();
                            if (!r2.ok()) {
                                throw new AssertionError(at + ", after more commits: " + r2);
                            }
                        }
                    } catch (AssertionError e) {
                        throw e;
                    } catch (RuntimeException e) {
                        throw new AssertionError(at + ": " + e, e);
                    }
                });
        System.out.printf("seed %d%s: %d events, %d scheduling decisions, %d crash states%n",
                seed, preload > 0 ? " (" + preload + " keys preloaded each)" : "", events.size() - firstEvent,
                sched.decisions(), explored);
        return new long[] {explored, sched.decisions()};
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** What a mounted store holds, by committer. */
    private static final class Mounted {
        final Map<Integer, TreeMap<String, byte[]>> keys = new HashMap<>();
        final Map<Integer, TreeSet<String>> prepared = new HashMap<>();
        final Map<Integer, TreeMap<String, TreeMap<String, byte[]>>> snapshots = new HashMap<>();
        int foreignKeys;

        static Mounted read(Store s) {
            Mounted m = new Mounted();
            try (Txn t = s.begin()) {
                for (Map.Entry<byte[], byte[]> e : t.scan(null, null)) {
                    String k = new String(e.getKey(), StandardCharsets.UTF_8);
                    int owner = owner(k);
                    if (owner < 0) {
                        m.foreignKeys++;
                    } else {
                        m.keys.computeIfAbsent(owner, x -> new TreeMap<>()).put(k, e.getValue());
                    }
                }
            }
            for (byte[] x : s.recover()) {
                String xid = new String(x, StandardCharsets.UTF_8);
                m.prepared.computeIfAbsent(owner(xid), o -> new TreeSet<>()).add(xid);
            }
            s.snapshots().forEach(info -> {
                TreeMap<String, byte[]> own = new TreeMap<>();
                int owner = owner(info.name());
                try (Txn t = s.beginAt(info.name())) {
                    for (Map.Entry<byte[], byte[]> e : t.scan(null, null)) {
                        String k = new String(e.getKey(), StandardCharsets.UTF_8);
                        if (owner(k) == owner) {
                            own.put(k, e.getValue());
                        }
                    }
                }
                m.snapshots.computeIfAbsent(owner, o -> new TreeMap<>()).put(info.name(), own);
            });
            return m;
        }

        /** The committer whose key is {@code k<n>-a<i>}, or whose name starts {@code a<i>-}; or -1. */
        static int owner(String name) {
            if (name.matches("k\\d+-a\\d+")) {
                return Integer.parseInt(name.substring(name.indexOf("-a") + 2));
            }
            int dash = name.indexOf('-');
            if (!name.startsWith("a") || dash < 2) {
                return -1;
            }
            try {
                return Integer.parseInt(name.substring(1, dash));
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    /** One committer's state after some number of its operations. */
    private record State(TreeMap<String, byte[]> keys, TreeSet<String> prepared,
                         TreeMap<String, TreeMap<String, byte[]>> snapshots) {
        String mismatch(Mounted m, int owner) {
            TreeMap<String, byte[]> k = m.keys.getOrDefault(owner, new TreeMap<>());
            if (!sameEntries(keys, k)) {
                return "keys " + k.keySet() + " (sizes " + sizes(k) + ") where the model has " + keys.keySet()
                        + " (sizes " + sizes(keys) + ")";
            }
            TreeSet<String> p = m.prepared.getOrDefault(owner, new TreeSet<>());
            if (!p.equals(prepared)) {
                return "prepared " + p + " where the model has " + prepared;
            }
            TreeMap<String, TreeMap<String, byte[]>> sn = m.snapshots.getOrDefault(owner, new TreeMap<>());
            if (!sn.keySet().equals(snapshots.keySet())) {
                return "snapshots " + sn.keySet() + " where the model has " + snapshots.keySet();
            }
            for (var e : snapshots.entrySet()) {
                if (!sameEntries(e.getValue(), sn.get(e.getKey()))) {
                    return "snapshot " + e.getKey() + " holds " + sn.get(e.getKey()).keySet() + " where the model has "
                            + e.getValue().keySet();
                }
            }
            return null;
        }

        private static List<Integer> sizes(TreeMap<String, byte[]> m) {
            return m.values().stream().map(v -> v.length).toList();
        }

        private static boolean sameEntries(TreeMap<String, byte[]> a, TreeMap<String, byte[]> b) {
            if (!a.keySet().equals(b.keySet())) {
                return false;
            }
            for (var e : a.entrySet()) {
                if (!Arrays.equals(e.getValue(), b.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * A value read in pieces of at most one chunk, stopping at a scheduling
     * point before each: the committer streaming it can be descheduled
     * between two chunk writes. With {@code failAt} at or above 0 it throws
     * once that many bytes have been read.
     */
    private static final class PausingStream extends InputStream {
        private final byte[] v;
        private final Runnable pause;
        private final int failAt;
        private int at;

        PausingStream(byte[] v, Runnable pause, int failAt) {
            this.v = v;
            this.pause = pause;
            this.failAt = failAt;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (failAt >= 0 && at >= failAt) {
                throw new IOException("the stream failed after " + at + " bytes");
            }
            if (at == v.length) {
                return -1;
            }
            pause.run();
            int n = Math.min(Math.min(len, 16 * 1024), v.length - at);
            if (failAt >= 0) {
                n = Math.min(n, Math.max(1, failAt - at));
            }
            System.arraycopy(v, at, b, off, n);
            at += n;
            return n;
        }
    }

    /**
     * A committer over its own keys {@code k<n>-a<id>}, with its model. Its
     * keys sort among the other committers' ({@code k3-a0}, {@code k3-a1},
     * ...), so the committers share the tree's leaves: a commit of one
     * rewrites, within the same generation, a leaf another's commit wrote a
     * moment before (an immediate free of a block the syncers may have
     * written since the last fence). Between the calls of a transaction it
     * stops at a scheduling point ({@code pause}), and a value it streams
     * stops there between its chunks, so a syncer can gather a chunk's write
     * while the transaction goes on to replace the value or roll it back.
     */
    private static final class Actor {
        /** Keys of each committer: enough inline values (values of up to 4 KiB are) that the tree has pivots and leaves. */
        static final int KEYS = 24;
        /**
         * Keys each committer writes at its first operation and never again
         * (300 in every third seed, {@code -Dexplore.preload=N} in all):
         * enough (with the others') that the tree has pivots between its root
         * and the leaves, so a commit rewrites nodes below the root, which
         * the syncers write at once, and another commit in the same
         * generation may replace them again (freed at once).
         */
        final int preload;
        final int id;
        final Random rnd;
        final Runnable pause;
        TreeMap<String, byte[]> keys = new TreeMap<>();
        String preparedXid;
        Map<String, byte[]> preparedWrites;
        TreeMap<String, TreeMap<String, byte[]>> snaps = new TreeMap<>();
        /** states.get(j): after its first j operations. */
        final List<State> states = new ArrayList<>();
        /** Event count when operation j returned. */
        final List<Integer> acks = Collections.synchronizedList(new ArrayList<>());

        Actor(int id, Random rnd, Runnable pause, int preload) {
            this.id = id;
            this.preload = preload;
            this.rnd = rnd;
            this.pause = pause;
            states.add(snapshot());
        }

        private State snapshot() {
            TreeSet<String> p = new TreeSet<>();
            if (preparedXid != null) {
                p.add(preparedXid);
            }
            return new State(new TreeMap<>(keys), p, new TreeMap<>(snaps));
        }

        String key(int n) {
            return "k" + n + "-a" + id;
        }

        void step(Store s, int n) {
            String prefix = "a" + id + "-";
            if (n == 0 && preload > 0) {
                try (Txn t = s.begin()) { // keys it never writes again, only so the tree has pivots under its root
                    Map<String, byte[]> w = new HashMap<>();
                    for (int i = 0; i < preload; i++) {
                        byte[] v = value(300 + rnd.nextInt(212));
                        t.put(b(key(KEYS + i)), v);
                        w.put(key(KEYS + i), v);
                    }
                    t.commit();
                    apply(keys, w);
                }
            } else if (preparedXid != null && rnd.nextInt(3) == 0) {
                byte[] xid = b(preparedXid);
                if (rnd.nextBoolean()) {
                    s.commitPrepared(xid);
                    apply(keys, preparedWrites);
                } else {
                    s.rollbackPrepared(xid);
                }
                preparedXid = null;
                preparedWrites = null;
            } else {
                int r = n == 0 ? 6 : rnd.nextInt(16);
                if (r == 0) {
                    String name = prefix + "s" + n;
                    s.createSnapshot(name);
                    snaps.put(name, new TreeMap<>(keys));
                } else if (r == 1 && !snaps.isEmpty()) {
                    String victim = snaps.firstKey();
                    s.deleteSnapshot(victim);
                    snaps.remove(victim);
                } else if (r == 8 || r == 9) {
                    read(s);
                } else if (r == 2 || r == 3 || r == 10) {
                    s.compressLogs(); // its sync's fresh log blocks take the lowest free blocks, maybe just released
                } else if (r == 4 || r == 5) {
                    givenBack(s);
                } else if (r == 7 && preparedXid == null) {
                    String xid = prefix + "x" + n;
                    try (Txn t = s.begin()) {
                        Map<String, byte[]> w = writeRandom(t, 1 + rnd.nextInt(5));
                        pause.run();
                        t.prepare(b(xid));
                        preparedXid = xid;
                        preparedWrites = w;
                    }
                } else {
                    try (Txn t = s.begin()) { // r == 6: many inline values, so buffers flush into shared leaves
                        Map<String, byte[]> w = writeRandom(t, r == 6 ? 6 + rnd.nextInt(10) : 1 + rnd.nextInt(5));
                        pause.run();
                        t.commit();
                        apply(keys, w);
                    }
                }
            }
            states.add(snapshot());
        }

        /**
         * Large values written and given back before any commit claims them:
         * streamed (stopping between chunks) or put, then replaced in the
         * same transaction, or cut short by a stream that fails midway, or
         * rolled back; and half the time the logs compressed right after, so
         * the sync's fresh log tail takes the lowest free block, which is
         * likely a chunk just given back. A syncer may still hold that chunk's
         * write in a batch it gathered; that write must not land on the tail.
         */
        private void givenBack(Store s) {
            try (Txn t = s.begin()) {
                Map<String, byte[]> w = new HashMap<>();
                String k0 = freeKey(rnd.nextInt(KEYS));
                String k1 = freeKey(rnd.nextInt(KEYS));
                if (k0 != null && k1 != null && !k0.equals(k1)) {
                    w.put(k0, largePut(t, k0, 17_000 + rnd.nextInt(30_000)));
                    pause.run();
                    int how = rnd.nextInt(3);
                    if (how == 0) { // replaced by an inline value: nothing takes the chunks again
                        byte[] v = value(rnd.nextInt(500));
                        t.put(b(k0), v);
                        w.put(k0, v);
                    } else if (how == 1) {
                        try {
                            t.putStream(b(k1), new PausingStream(value(40_000), pause, 17_000 + rnd.nextInt(18_000)));
                            throw new AssertionError("a stream that failed midway was stored");
                        } catch (dev.cairn.api.CairnException expected) {
                            // its chunks so far are given back; the key is untouched
                        }
                    }
                    pause.run();
                    if (rnd.nextInt(3) == 0) {
                        t.commit();
                        apply(keys, w);
                    } else {
                        t.rollback();
                    }
                }
            }
            if (rnd.nextInt(4) != 0) {
                s.compressLogs();
            }
        }

        /** Reads its own keys and checks them against its model: no write, so no sync (the others' syncs meet fewer barriers). */
        private void read(Store s) {
            try (Txn t = s.begin()) {
                for (int i = 0; i < 4; i++) {
                    String k = key(rnd.nextInt(KEYS));
                    byte[] v = t.get(b(k));
                    if (!Arrays.equals(v, keys.get(k))) {
                        throw new AssertionError("committer " + id + " reads " + k + " as "
                                + (v == null ? "absent" : v.length + " bytes") + " where its model has "
                                + (keys.get(k) == null ? "absent" : keys.get(k).length + " bytes"));
                    }
                    pause.run();
                }
            }
        }

        /** {@code k<n>} unless this committer's prepared branch holds it. */
        private String freeKey(int n) {
            String k = key(n);
            return preparedWrites != null && preparedWrites.containsKey(k) ? null : k;
        }

        /** A value put whole, or streamed with a scheduling point between its chunks. */
        private byte[] largePut(Txn t, String k, int length) {
            byte[] v = value(length);
            if (rnd.nextBoolean()) {
                t.putStream(b(k), new PausingStream(v, pause, -1));
            } else {
                t.put(b(k), v);
            }
            return v;
        }

        private Map<String, byte[]> writeRandom(Txn t, int count) {
            Map<String, byte[]> w = new HashMap<>();
            for (int i = 0; i < count; i++) {
                String k = freeKey(rnd.nextInt(KEYS));
                if (k == null) {
                    continue; // held by this committer's prepared branch
                }
                if (i > 0) {
                    pause.run();
                }
                if (rnd.nextInt(5) == 0) {
                    t.delete(b(k));
                    w.put(k, null);
                } else if (rnd.nextInt(6) == 0) {
                    w.put(k, largePut(t, k, 1000 + rnd.nextInt(35_000)));
                } else {
                    // small values; some medium ones, which live in the leaves and whose
                    // deletes and overwrites by smaller values go straight down to them
                    int r = rnd.nextInt(6);
                    byte[] v = value(r < 2 ? rnd.nextInt(300) : r < 5 ? 300 + rnd.nextInt(212) : 512 + rnd.nextInt(3585));
                    t.put(b(k), v);
                    w.put(k, v);
                }
            }
            return w;
        }

        private byte[] value(int length) {
            byte[] v = new byte[length];
            rnd.nextBytes(v);
            return v;
        }

        private static void apply(TreeMap<String, byte[]> keys, Map<String, byte[]> writes) {
            writes.forEach((k, v) -> {
                if (v == null) {
                    keys.remove(k);
                } else {
                    keys.put(k, v);
                }
            });
        }

        /** The mount shows this committer after all its operations acknowledged before event {@code crash}, or one more. */
        void assertOneOf(Mounted m, int crash, String where) {
            int acked = 0;
            synchronized (acks) {
                for (int at : acks) {
                    if (at <= crash) {
                        acked++;
                    }
                }
            }
            String first = states.get(acked).mismatch(m, id);
            if (first == null) {
                return;
            }
            if (acked + 1 < states.size() && states.get(acked + 1).mismatch(m, id) == null) {
                return;
            }
            throw new AssertionError(where + ": committer " + id + " after its " + acked
                    + " acknowledged operations (or one more): " + first);
        }
    }
}
