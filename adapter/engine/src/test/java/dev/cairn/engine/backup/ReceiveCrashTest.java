package dev.cairn.engine.backup;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.engine.Store;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.Txn;
import dev.cairn.engine.check.CheckReport;
import dev.cairn.engine.disk.CrashImages;
import dev.cairn.engine.disk.MemoryChannel;
import dev.cairn.engine.disk.RecordingChannel;
import dev.cairn.engine.object.ValueInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiving store crashed before every write and force of two receives (a
 * whole stream into an empty store, then the changes of a later snapshot),
 * in every way {@link CrashImages} builds: each image mounts with nothing,
 * the first snapshot's contents or the second's, never a mix, with exactly
 * the snapshots that go with them (each taken in its contents' durable
 * step), and {@code check()} clean.
 */
class ReceiveCrashTest {

    private static final long SIZE = 4L << 20;

    @TempDir
    Path dir;

    private static String contents(Store s) {
        StringBuilder b = new StringBuilder();
        try (Txn t = s.begin()) {
            for (Map.Entry<byte[], ValueInfo> e : t.infos(null, null)) {
                b.append(new String(e.getKey(), UTF_8)).append('=').append(Arrays.hashCode(t.get(e.getKey())))
                        .append('/').append(e.getValue().contentType()).append(';');
            }
        }
        return b.toString();
    }

    @Test
    void aCrashedReceiveLeavesTheStateBeforeOrAfterItNeverAMix() throws IOException {
        Random rnd = new Random(11);
        byte[] full;
        byte[] changes;
        String first;
        String second;
        try (Store src = Store.create(dir.resolve("src.cairn"), StoreConfig.defaults().sizeBytes(SIZE))) {
            try (Txn t = src.begin()) {
                for (int i = 0; i < 40; i++) {
                    byte[] v = new byte[i % 10 == 0 ? 40_000 : 50 + rnd.nextInt(400)];
                    rnd.nextBytes(v);
                    t.put(("k" + i).getBytes(UTF_8), v, i % 7 == 0 ? "text/plain" : null);
                }
                t.commit();
            }
            src.createSnapshot("a");
            first = contents(src);
            try (Txn t = src.begin()) {
                for (int i = 0; i < 40; i += 3) {
                    if (i % 2 == 0) {
                        t.delete(("k" + i).getBytes(UTF_8));
                    } else {
                        byte[] v = new byte[i % 9 == 0 ? 30_000 : 100];
                        rnd.nextBytes(v);
                        t.put(("k" + i).getBytes(UTF_8), v);
                    }
                }
                t.commit();
            }
            src.createSnapshot("b");
            second = contents(src);
            ByteArrayOutputStream a = new ByteArrayOutputStream();
            SnapshotSender.send(src, "a", null, a);
            full = a.toByteArray();
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            SnapshotSender.send(src, "b", "a", b);
            changes = b.toByteArray();
        }

        AtomicReference<RecordingChannel> rec = new AtomicReference<>();
        StoreConfig cfg = StoreConfig.defaults().sizeBytes(SIZE).arenas(2).cacheBytes(1 << 20)
                .channelOpener((p, o) -> {
                    rec.set(new RecordingChannel(FileChannel.open(p, o)));
                    return rec.get();
                });
        List<long[]> acknowledged = CrashImages.newAcknowledgedList();
        int firstEvent;
        try (Store s = Store.create(dir.resolve("r.cairn"), cfg)) {
            firstEvent = rec.get().eventCount();
            SnapshotReceiver.into(s, new ByteArrayInputStream(full));
            acknowledged.add(new long[] {rec.get().eventCount(), s.generation()});
            SnapshotReceiver.into(s, new ByteArrayInputStream(changes));
            acknowledged.add(new long[] {rec.get().eventCount(), s.generation()});
        }
        Map<String, Integer> seen = new HashMap<>();
        String empty = "";
        int states = CrashImages.explore(rec.get().events(), firstEvent, SIZE, acknowledged, 3,
                (image, newest, fallback, where, index) -> {
                    StoreConfig mem = cfg.channelOpener((p, o) -> new MemoryChannel(image));
                    try (Store s = Store.open(dir.resolve("image"), mem)) {
                        String got = contents(s);
                        List<String> snaps = s.snapshots().stream().map(i -> i.name()).toList();
                        String which = got.equals(empty) ? "empty" : got.equals(first) ? "a" : got.equals(second) ? "b" : null;
                        if (which == null) {
                            fail(where + ": the store holds neither nothing, snapshot a's contents nor b's: " + got);
                        }
                        // A snapshot arrives in the same durable step as its contents.
                        List<String> expected = which.equals("empty") ? List.of() : which.equals("a") ? List.of("a") : List.of("a", "b");
                        if (!snaps.equals(expected)) {
                            fail(where + ": contents of " + which + " with snapshots " + snaps);
                        }
                        CheckReport r = s.check();
                        assertTrue(r.ok(), where + ": " + r);
                        seen.merge(which, 1, Integer::sum);
                    } catch (RuntimeException e) {
                        throw new AssertionError(where + ": " + e, e);
                    }
                });
        assertTrue(states > 50, states + " crash states");
        assertTrue(seen.containsKey("empty") && seen.containsKey("a") && seen.containsKey("b"),
                "crashes before, between and after the receives: " + seen);
        System.out.println("receive crash states: " + states + " " + seen);
    }
}
