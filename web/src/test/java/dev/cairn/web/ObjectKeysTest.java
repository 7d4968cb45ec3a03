package dev.cairn.web;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The key rules of the HTTP API: a raw path names exactly one key, or is refused naming the rule. */
class ObjectKeysTest {

    private static void same(String raw, String key) {
        assertArrayEquals(key.getBytes(UTF_8), ObjectKeys.decode(raw), raw);
    }

    private static void refused(String raw, String because) {
        ClientError e = assertThrows(ClientError.class, () -> ObjectKeys.decode(raw), raw);
        assertEquals(400, e.status);
        assertEquals("bad_key", e.code);
        assertTrue(e.getMessage().contains(because), raw + ": " + e.getMessage());
    }

    @Test
    void whatAContainerWouldRewriteIsPartOfTheKey() {
        same("target;x", "target;x");
        same("target%3Bx", "target;x");
        same("target;jsessionid=1", "target;jsessionid=1");
        same("target%20", "target ");
        same("sub//target", "sub//target");
        same("dir/", "dir/");
        same("a+b", "a+b");
        same("a%2Bb", "a+b");
        same("%E2%82%AC", "\u20ac");
        same("%e2%82%ac", "\u20ac");
        same("...", "...");
        same("a.b/.c/..d", "a.b/.c/..d");
        same("a%5Cb", "a\\b");
        same("a%23b", "a#b");
        same("a%2Fb", "a/b");
        same("a%2Eb", "a.b");
    }

    @Test
    void dotSegmentsAreRefusedNotResolved() {
        refused("sub/./target", "segment '.'");
        refused("x/../w", "segment '..'");
        refused("..", "segment '..'");
        refused("a/%2E", "segment '.'");
        refused("a/%2e%2E/b", "segment '..'");
    }

    @Test
    void malformedOrNonUtf8BytesAreRefused() {
        refused("", "empty");
        refused("a%ZZ", "malformed escape");
        refused("a%4", "malformed escape");
        refused("a%", "malformed escape");
        refused("%FF", "not UTF-8");
        refused("%C3", "not UTF-8");
        refused("caf\u00e9", "percent-encode");
        refused("a%00b", "control character U+0000");
        refused("a%0Ab", "control character U+000A");
        refused("a%7F", "control character U+007F");
    }

    @Test
    void aKeyIsOneTo256BytesOnceDecoded() {
        same("k".repeat(256), "k".repeat(256));
        refused("k".repeat(257), "257 bytes");
        same("%41".repeat(256), "A".repeat(256));
        refused("%41".repeat(257), "257 bytes");
        same("%E2%82%AC".repeat(85), "\u20ac".repeat(85)); // 255 bytes
        refused("%E2%82%AC".repeat(86), "258 bytes");
    }

    @Test
    void aBatchKeyFollowsTheSameRules() {
        assertArrayEquals("a;b c".getBytes(UTF_8), ObjectKeys.validate("a;b c"));
        for (String bad : new String[] {"", "k".repeat(257), "x/../y", "a\u0000", "\ud800"}) {
            ClientError e = assertThrows(ClientError.class, () -> ObjectKeys.validate(bad), bad);
            assertEquals("bad_key", e.code);
        }
    }
}
