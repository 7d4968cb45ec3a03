package dev.cairn.engine.backup;

import com.dynatrace.hash4j.hashing.HashStream64;
import dev.cairn.engine.Txn;
import dev.cairn.engine.block.BlockHash;
import dev.cairn.engine.object.ObjectLayout;
import dev.cairn.engine.object.ValueTag;
import java.util.Map;

/**
 * A version's content digest: XXH3 over every key in order with its value's
 * strong entity tag and media type. Equal digests mean equal contents (the
 * tags name the bytes), whichever store holds them and however its blocks
 * lie. Reads no value but old-layout medium ones ({@code ObjectLayout.etag}):
 * tags come from the tree.
 */
final class Digest {

    /** The digest of a version with no keys. */
    static final long EMPTY = new Digest().value();

    private final HashStream64 hash = BlockHash.stream();
    private long keys;

    void add(byte[] key, String etag, String contentType) {
        hash.putInt(key.length).putBytes(key).putString(etag).putString(contentType == null ? "" : contentType);
        keys++;
    }

    long value() {
        return hash.getAsLong() ^ keys;
    }

    /** The digest of everything {@code t} sees, in one walk of its tree; the whole key range counts as read by {@code t}. */
    static long of(Txn t) {
        return of(t, StreamFormat.VERSION);
    }

    /**
     * {@link #of(Txn)} as a stream of format {@code version} computes it:
     * for version 1, a value over 511 bytes (fewer with a media type) that a
     * leaf takes now has the tag of its chunks, as then, computed from its
     * bytes (it is read).
     */
    static long of(Txn t, int version) {
        Digest d = new Digest();
        for (Map.Entry<byte[], ValueTag> e : t.tags(null, null)) {
            ValueTag v = e.getValue();
            String tag = v.etag();
            if (version == 1 && ObjectLayout.wasLargeInVersion1(v.size(), v.contentType())
                    && v.size() <= ObjectLayout.maxInline(v.contentType())) {
                tag = ObjectLayout.version1Etag(t.get(e.getKey()));
            }
            d.add(e.getKey(), tag, v.contentType());
        }
        return d.value();
    }
}
