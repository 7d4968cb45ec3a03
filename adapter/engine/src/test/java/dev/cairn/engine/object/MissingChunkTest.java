package dev.cairn.engine.object;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cairn.engine.BlockStore;
import dev.cairn.api.CorruptBlockException;
import dev.cairn.engine.StoreConfig;
import dev.cairn.engine.block.Bptr;
import dev.cairn.engine.tree.Msg;
import dev.cairn.engine.tree.RootMemo;
import dev.cairn.engine.tree.Tree;
import dev.cairn.engine.tree.TreeWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large value whose chunk entry is gone (only a bug, or a tree spoiled
 * on purpose, leaves one so): a commit that replaces it fails naming the
 * object and the chunk, and changes nothing; the old tree still answers.
 */
class MissingChunkTest {

    @TempDir
    Path dir;

    @Test
    void replacingALargeValueWithAChunkMissingFailsNamingItAndChangesNothing() {
        try (BlockStore s = BlockStore.create(dir.resolve("chunks.cairn"), StoreConfig.defaults().sizeBytes(32L << 20))) {
            byte[] key = ObjectLayout.userKey("big".getBytes(StandardCharsets.UTF_8));
            byte[] big = new byte[3 * ObjectLayout.CHUNK + 5];
            new Random(3).nextBytes(big);
            ObjectWriter.Applied first = ObjectWriter.apply(s, Bptr.NONE, List.of(write(key, big)), s::free, new RootMemo());
            first.adopt().run();
            s.sync(List.of(first.root()));
            long id = ObjectLayout.largeId(Tree.get(s, first.root(), key));

            // Drop chunk 1's entry, leaving the value pointing at it.
            TreeWriter spoil = new TreeWriter(s, first.root());
            spoil.apply(Msg.delete(ObjectLayout.chunkKey(id, 1)));
            Bptr spoiled = spoil.finish();
            spoil.commit();
            s.sync(List.of(spoiled));
            long[] usedBefore = s.stats().arenaUsed();

            // Inline, a delete, and large (its own chunks written before the old ones are dropped).
            for (Object replacement : Arrays.asList("small".getBytes(StandardCharsets.UTF_8), null, new byte[2 * ObjectLayout.CHUNK])) {
                CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> ObjectWriter.apply(
                        s, spoiled, List.of(write(key, replacement)), s::free, new RootMemo()));
                assertEquals(String.format("object 0x%x is corrupt: chunk 1 is missing", id), e.getMessage());
            }
            s.sync(List.of(spoiled));
            assertArrayEquals(usedBefore, s.stats().arenaUsed(), "a refused commit left blocks allocated");
            // The spoiled tree is as it was: the value still large, chunks 0 and 2 there, 1 not.
            assertEquals(id, ObjectLayout.largeId(Tree.get(s, spoiled, key)));
            assertNotNull(Tree.get(s, spoiled, ObjectLayout.chunkKey(id, 0)));
            assertNull(Tree.get(s, spoiled, ObjectLayout.chunkKey(id, 1)));
            assertNotNull(Tree.get(s, spoiled, ObjectLayout.chunkKey(id, 2)));
        }
    }

    private static Map.Entry<byte[], Object> write(byte[] key, Object value) {
        return new AbstractMap.SimpleEntry<>(key, value); // a null value (a delete) is allowed here
    }
}
