package dev.cairn.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.engine.object.ValueTag;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Txn.tags}, one walk of the tree, gives each key the size, tag and
 * type that {@code etag} and {@code infos} give it one by one: committed
 * values inline and large, and the transaction's own puts, overwrites and
 * deletes on top.
 */
class ValueTagTest {

    @TempDir
    Path dir;

    @Test
    void tagsAgreeWithEtagAndInfosKeyByKey() {
        Random rnd = new Random(3);
        try (Store s = Store.create(dir.resolve("s.cairn"), StoreConfig.defaults().sizeBytes(64L << 20).cacheBytes(4L << 20))) {
            try (Txn t = s.begin()) {
                for (int i = 0; i < 40; i++) {
                    byte[] v = new byte[i % 5 == 0 ? 40_000 + i : i * 7];
                    rnd.nextBytes(v);
                    t.put(("k" + i).getBytes(UTF_8), v, i % 3 == 0 ? "text/plain" : null);
                }
                t.commit();
            }
            try (Txn t = s.begin()) {
                t.put("k1".getBytes(UTF_8), new byte[70_000]); // own large overwrite
                t.put("k2".getBytes(UTF_8), "own".getBytes(UTF_8), "a/b");
                t.delete("k3".getBytes(UTF_8));
                t.put("new".getBytes(UTF_8), "x".getBytes(UTF_8));
                List<String> keys = new ArrayList<>();
                for (Map.Entry<byte[], ValueTag> e : t.tags(null, null)) {
                    byte[] k = e.getKey();
                    keys.add(new String(k, UTF_8));
                    assertEquals(t.etag(k), e.getValue().etag(), new String(k, UTF_8));
                    var info = t.infos(k, (new String(k, UTF_8) + "\0").getBytes(UTF_8)).iterator().next().getValue();
                    assertEquals(info.size(), e.getValue().size());
                    assertEquals(info.contentType(), e.getValue().contentType());
                }
                assertEquals(40, keys.size(), "39 committed keys left and one new: " + keys);
            }
        }
    }
}
