package dev.cairn.engine.explore;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.engine.Store;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.Txn;
import dev.cairn.engine.check.CheckReport;
import dev.cairn.engine.disk.CrashImages;
import dev.cairn.engine.disk.MemoryChannel;
import dev.cairn.engine.disk.RecordingChannel;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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

    @Test
    void everyAcknowledgedOperationOfEveryCommitterSurvivesEveryCrash() {
        String seedList = System.getProperty("explore.seeds", "1..8");
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
        for (long seed : seeds) {
            long[] r = explore(seed, actors, ops);
            states += r[0];
            decisions += r[1];
        }
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf("concurrent crash exploration: %d seeds (%s), %d committers of %d operations each,"
                + " %d scheduling decisions, %d crash states explored in %.1f s%n",
                seeds.size(), seedList, actors, ops, decisions, states, secs);
        assertTrue(states >= minStates, "explored " + states + " crash states, fewer than " + minStates);
    }

    /** @return crash states explored, scheduling decisions made */
    private long[] explore(long seed, int actorCount, int ops) {
        Scheduler sched = new Scheduler(seed);
        ScheduledChannel[] ch = new ScheduledChannel[1];
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(SIZE).arenas(2).syncers(2).cacheBytes(1 << 20)
                .workers(sched)
                .channelOpener((p, o) -> ch[0] = new ScheduledChannel(FileChannel.open(p, o), sched));
        Path file = dir.resolve("s-" + seed + ".cairn");
        List<Actor> actors = new ArrayList<>();
        List<long[]> acknowledged = new ArrayList<>();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        int firstEvent;
        try (Store s = Store.create(file, cfg)) {
            firstEvent = ch[0].eventCount();
            for (int i = 0; i < actorCount; i++) {
                Actor a = new Actor(i, new Random(seed * 1000 + i));
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
        acknowledged.sort(java.util.Comparator.comparingLong(x -> x[0]));
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
        System.out.printf("seed %d: %d events, %d scheduling decisions, %d crash states%n",
                seed, events.size() - firstEvent, sched.decisions(), explored);
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

        /** The committer whose name starts {@code a<i>-}, or -1. */
        static int owner(String name) {
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

    /** A committer over its own keys {@code a<id>-k<n>}, with its model. */
    private static final class Actor {
        final int id;
        final Random rnd;
        TreeMap<String, byte[]> keys = new TreeMap<>();
        String preparedXid;
        Map<String, byte[]> preparedWrites;
        TreeMap<String, TreeMap<String, byte[]>> snaps = new TreeMap<>();
        /** states.get(j): after its first j operations. */
        final List<State> states = new ArrayList<>();
        /** Event count when operation j returned. */
        final List<Integer> acks = java.util.Collections.synchronizedList(new ArrayList<>());

        Actor(int id, Random rnd) {
            this.id = id;
            this.rnd = rnd;
            states.add(snapshot());
        }

        private State snapshot() {
            TreeSet<String> p = new TreeSet<>();
            if (preparedXid != null) {
                p.add(preparedXid);
            }
            return new State(new TreeMap<>(keys), p, new TreeMap<>(snaps));
        }

        void step(Store s, int n) {
            String prefix = "a" + id + "-";
            if (preparedXid != null && rnd.nextInt(3) == 0) {
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
                int r = rnd.nextInt(12);
                if (r == 0) {
                    String name = prefix + "s" + n;
                    s.createSnapshot(name);
                    snaps.put(name, new TreeMap<>(keys));
                } else if (r == 1 && !snaps.isEmpty()) {
                    String victim = snaps.firstKey();
                    s.deleteSnapshot(victim);
                    snaps.remove(victim);
                } else if (r == 2) {
                    s.compressLogs(); // its fresh log blocks may take blocks just released
                } else if (r == 3) {
                    try (Txn t = s.begin()) { // large values given back: replaced, then rolled back
                        t.put(b(prefix + "k0"), value(20_000));
                        t.put(b(prefix + "k0"), value(9_000));
                        t.put(b(prefix + "k1"), value(30_000));
                        t.rollback();
                    }
                } else if (r == 4 && preparedXid == null) {
                    String xid = prefix + "x" + n;
                    try (Txn t = s.begin()) {
                        Map<String, byte[]> w = writeRandom(t, prefix);
                        t.prepare(b(xid));
                        preparedXid = xid;
                        preparedWrites = w;
                    }
                } else {
                    try (Txn t = s.begin()) {
                        Map<String, byte[]> w = writeRandom(t, prefix);
                        t.commit();
                        apply(keys, w);
                    }
                }
            }
            states.add(snapshot());
        }

        private Map<String, byte[]> writeRandom(Txn t, String prefix) {
            Map<String, byte[]> w = new HashMap<>();
            int count = 1 + rnd.nextInt(5);
            for (int i = 0; i < count; i++) {
                String k = prefix + "k" + rnd.nextInt(10);
                if (preparedWrites != null && preparedWrites.containsKey(k)) {
                    continue; // held by this committer's prepared branch
                }
                if (rnd.nextInt(4) == 0) {
                    t.delete(b(k));
                    w.put(k, null);
                } else {
                    byte[] v = value(rnd.nextInt(5) == 0 ? 1000 + rnd.nextInt(30_000) : rnd.nextInt(300));
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
