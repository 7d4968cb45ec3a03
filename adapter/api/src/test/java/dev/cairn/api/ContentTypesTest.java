package dev.cairn.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContentTypesTest {

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "application/json", "text/plain; charset=utf-8", "text/plain;charset=UTF-8",
            "application/vnd.api+json", "multipart/form-data; boundary=\"a b;c\"", "x-y/z.w; a=1; b=\"q\\\"uoted\"",
            "application/octet-stream"})
    void keepsAMediaTypeExactlyAsGiven(String type) {
        assertEquals(type, ContentTypes.check(type));
    }

    @Test
    void noTypeIsNoType() {
        assertNull(ContentTypes.check(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "text", "text/", "/plain", "text/plain;", "text/plain; charset", "text/plain; =x",
            "text/plain; charset=\"open", "text plain", "text/pl ain", "text/plain\r\nX-Injected: 1", "téxt/plain",
            "text/plain, text/html", "text/plain; a=b c"})
    void refusesWhatIsNotAMediaTypeNamingTheRule(String type) {
        InvalidContentTypeException e = assertThrows(InvalidContentTypeException.class, () -> ContentTypes.check(type));
        assertTrue(e.getMessage().contains("type/subtype"), e.getMessage());
        assertTrue(e.getMessage().indexOf('\r') < 0 && e.getMessage().indexOf('\n') < 0, "no control byte echoed: " + e.getMessage());
    }

    @Test
    void refusesALongerTypeThanTheLimit() {
        String ok = "application/" + "x".repeat(ContentTypes.MAX_BYTES - "application/".length());
        assertEquals(ok, ContentTypes.check(ok));
        InvalidContentTypeException e = assertThrows(InvalidContentTypeException.class, () -> ContentTypes.check(ok + "x"));
        assertTrue(e.getMessage().contains("256 bytes long"), e.getMessage());
    }
}
