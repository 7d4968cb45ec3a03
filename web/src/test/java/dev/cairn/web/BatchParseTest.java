package dev.cairn.web;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.api.Write;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a batch body may be: one JSON object of the documented shape, nothing more. */
class BatchParseTest {

    private static BatchServlet.BadBatch refused(String body) {
        return assertThrows(BatchServlet.BadBatch.class, () -> BatchServlet.parse(body.getBytes(UTF_8)), body);
    }

    @Test
    void aWellFormedBatchParses() throws Exception {
        List<Write> ops = BatchServlet.parse("{\"ops\":[{\"op\":\"put\",\"key\":\"a\",\"value\":\"QQ==\"},{\"op\":\"delete\",\"key\":\"b\"}]} \n"
                .getBytes(UTF_8));
        assertEquals(2, ops.size());
        assertArrayEquals("a".getBytes(UTF_8), ops.get(0).key());
        assertArrayEquals("A".getBytes(UTF_8), ops.get(0).value());
        assertNull(ops.get(1).value());
    }

    @Test
    void aDeeplyNestedBodyIsRefusedAsABadBody() {
        String deep = "{\"ops\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        BatchServlet.BadBatch e = refused(deep);
        assertEquals("bad_body", e.code);
        assertTrue(e.getMessage().contains("nested"), e.getMessage());
    }

    @Test
    void anythingAfterTheObjectIsRefused() {
        for (String trailing : new String[] {" garbage", "{\"ops\":[]}", " 1", "]", "}"}) {
            BatchServlet.BadBatch e = refused("{\"ops\":[]}" + trailing);
            assertEquals("bad_body", e.code);
            assertTrue(e.getMessage().contains("more after"), trailing + ": " + e.getMessage());
        }
        assertEquals("bad_body", refused("").code);
        assertEquals("bad_body", refused("[]").code);
        assertEquals("bad_body", refused("\"ops\"").code);
    }

    @Test
    void aBadKeyNamesItsOperation() {
        BatchServlet.BadBatch e = refused("{\"ops\":[{\"op\":\"delete\",\"key\":\"ok\"},{\"op\":\"delete\",\"key\":\"x/../y\"}]}");
        assertEquals("bad_key", e.code);
        assertTrue(e.getMessage().startsWith("ops[1].key"), e.getMessage());
        assertEquals("bad_key", refused("{\"ops\":[{\"op\":\"delete\",\"key\":\"\"}]}").code);
    }
}
