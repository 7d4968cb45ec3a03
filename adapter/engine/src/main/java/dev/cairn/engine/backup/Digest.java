package dev.cairn.engine.backup;

import com.dynatrace.hash4j.hashing.HashStream64;
import dev.cairn.engine.Txn;
import dev.cairn.engine.block.BlockHash;
import dev.cairn.engine.object.ValueTag;
import java.util.Map;

/**
 * A version's content digest: XXH3 over every key in order with its value's
 * strong entity tag and media type. Equal digests mean equal contents (the
 * tags name the bytes), whichever store holds them and however its blocks
 * lie. Reads no value: tags come from the tree.
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
        Digest d = new Digest();
        for (Map.Entry<byte[], ValueTag> e : t.tags(null, null)) {
            d.add(e.getKey(), e.getValue().etag(), e.getValue().contentType());
        }
        return d.value();
    }
}
