package dev.cairn.engine.object;

import dev.cairn.engine.access.BlockAccess;
import dev.cairn.engine.block.Bptr;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads one version of the store: the objects of the tree under one root.
 * A transaction reads its snapshot through one; whoever holds it keeps the
 * version's blocks pinned against reuse while it reads. Every read first
 * asks {@code checkOpen}, so a read of a closed store fails as closed
 * rather than reading blocks that may be gone.
 */
public final class VersionReader {

    private final BlockAccess store;
    private final Bptr root;
    private final Runnable checkOpen;

    public VersionReader(BlockAccess store, Bptr root, Runnable checkOpen) {
        this.store = store;
        this.root = root;
        this.checkOpen = checkOpen;
    }

    /** The value of {@code key}, or null when absent. */
    public byte[] get(byte[] key) {
        checkOpen.run();
        return ObjectLayout.get(store, root, key);
    }

    /** The value of {@code key} as a stream read one chunk at a time, or null when absent. */
    public InputStream stream(byte[] key) {
        checkOpen.run();
        return ObjectLayout.stream(store, root, key);
    }

    /** The strong entity tag of {@code key}'s value, or null when absent. */
    public String etag(byte[] key) {
        checkOpen.run();
        return ObjectLayout.etag(store, root, key);
    }

    /** Whether {@code key} exists, without reading its value. */
    public boolean exists(byte[] key) {
        checkOpen.run();
        return ObjectLayout.exists(store, root, key);
    }

    /** Keys in {@code [from, to)} (to null: all) with their values' sizes and media types. */
    public Iterator<Map.Entry<byte[], ValueInfo>> infos(byte[] from, byte[] to) {
        checkOpen.run();
        return ObjectLayout.infos(store, root, from, to);
    }

    /** Keys in {@code [from, to)} (to null: all) with their values' sizes, entity tags and media types. */
    public Iterator<Map.Entry<byte[], ValueTag>> tags(byte[] from, byte[] to) {
        checkOpen.run();
        return ObjectLayout.tags(store, root, from, to);
    }

    /** Entries in {@code [from, to)} (to null: all), values read as the iterator reaches them. */
    public Iterator<Map.Entry<byte[], byte[]>> scan(byte[] from, byte[] to) {
        checkOpen.run();
        return ObjectLayout.scan(store, root, from, to);
    }
}
