package dev.cairn.engine.object;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A value without a media type is stored, and a write set packed, byte for
 * byte as before media types existed: stores written then read unchanged,
 * and their format is what a store without types writes now.
 */
class UntypedFormatTest {

    @Test
    void anUntypedValueIsStoredInTheFormatBeforeTypes() {
        assertArrayEquals(new byte[] {0, 'h', 'i'}, ObjectLayout.inline(new byte[] {'h', 'i'}, null));
        assertArrayEquals(ByteBuffer.allocate(17).put((byte) 1).putLong(40000).putLong(0x5000).array(),
                ObjectLayout.large(40000, 0x5000, null));
        assertNull(ObjectLayout.contentType(new byte[] {0, 'h', 'i'}));
        assertEquals(new ValueInfo(2, null), ObjectLayout.info(new byte[] {0, 'h', 'i'}));
        assertEquals(new ValueInfo(40000, null), ObjectLayout.info(ObjectLayout.large(40000, 0x5000, null)));
    }

    @Test
    void aTypedValueReadsBackItsTypeAndPayload() {
        byte[] inline = ObjectLayout.inline(new byte[] {'h', 'i'}, "text/plain");
        assertEquals(new ValueInfo(2, "text/plain"), ObjectLayout.info(inline));
        byte[] large = ObjectLayout.large(40000, 0x5000, "image/png");
        assertEquals(new ValueInfo(40000, "image/png"), ObjectLayout.info(large));
        assertEquals(0x5000, ObjectLayout.largeId(large));
        assertEquals(true, ObjectLayout.isLarge(large));
        assertEquals(false, ObjectLayout.isLarge(inline));
    }

    @Test
    void anUntypedWriteSetPacksAsBeforeTypes() {
        Map<byte[], Object> writes = new LinkedHashMap<>();
        writes.put(new byte[] {'a'}, new byte[] {7});
        writes.put(new byte[] {'b'}, null);
        writes.put(new byte[] {'c'}, new PreparedLarge(9, 0x4000));
        byte[] expected = ByteBuffer.allocate(4 + (2 + 1 + 1 + 4 + 1) + (2 + 1 + 1) + (2 + 1 + 1 + 16)).putInt(3)
                .putShort((short) 1).put((byte) 'a').put((byte) 1).putInt(1).put((byte) 7)
                .putShort((short) 1).put((byte) 'b').put((byte) 0)
                .putShort((short) 1).put((byte) 'c').put((byte) 2).putLong(9).putLong(0x4000).array();
        assertArrayEquals(expected, ObjectLayout.packWrites(writes));
    }

    @Test
    void aTypedWriteSetRoundTrips() {
        Map<byte[], Object> writes = new LinkedHashMap<>();
        writes.put(new byte[] {'a'}, Typed.of("text/plain", new byte[] {7}));
        writes.put(new byte[] {'b'}, null);
        writes.put(new byte[] {'c'}, Typed.of("video/mp4", new PreparedLarge(9, 0x4000)));
        writes.put(new byte[] {'d'}, new byte[] {8});
        var back = ObjectLayout.unpackWrites(ObjectLayout.packWrites(writes));
        assertEquals(4, back.size());
        Typed a = (Typed) back.get(new byte[] {'a'});
        assertEquals("text/plain", a.contentType());
        assertArrayEquals(new byte[] {7}, (byte[]) a.value());
        assertNull(back.get(new byte[] {'b'}));
        assertEquals(new Typed("video/mp4", new PreparedLarge(9, 0x4000)), back.get(new byte[] {'c'}));
        assertArrayEquals(new byte[] {8}, (byte[]) back.get(new byte[] {'d'}));
    }
}
