package dev.cairn.web;

import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The object key a request names, taken from the raw request URI, never from
 * the container's decoded and normalised path (which drops {@code ;params},
 * trims, and resolves {@code .} and {@code ..}: a write would land on another
 * key). The key is exactly the bytes the client percent-encoded after
 * {@code /api/objects/}, or the request is refused with {@code 400 bad_key}
 * naming the rule it breaks.
 *
 * <p>The rules: 1 to {@value #MAX_KEY_BYTES} bytes of UTF-8 once decoded;
 * every {@code %} starts a two-digit hex escape, and non-ASCII bytes come
 * escaped; no control character (U+0000–U+001F, U+007F); no path segment
 * that is {@code .} or {@code ..}, however encoded (clients and proxies
 * resolve those before sending, so such a key could not be named reliably).
 * Everything else is part of the key as sent: {@code ;}, {@code +},
 * {@code #} and {@code \} (as {@code %23}, {@code %5C}), spaces, {@code %2F}
 * (the same key as a literal {@code /}), empty segments ({@code a//b}) and
 * a trailing {@code /}, and {@code ;jsessionid=...}, which the container
 * would take out of the path as a session id.
 */
final class ObjectKeys {

    static final int MAX_KEY_BYTES = 256;

    private ObjectKeys() {
    }

    /** The key under {@code prefix} (the path after the context root, such as {@code /api/objects/}) of {@code req}. */
    static byte[] from(HttpServletRequest req, String prefix) {
        String raw = rawPath(req);
        String start = req.getContextPath() + prefix;
        if (!raw.startsWith(start)) {
            throw ClientError.badKey("the request path must name a key after " + start);
        }
        return decode(raw.substring(start.length()));
    }

    /**
     * The request's path exactly as sent, still percent-encoded. Not
     * {@code getRequestURI()}: Liberty takes {@code ;jsessionid=...} out of
     * that (a DELETE of {@code k;jsessionid=1} would delete {@code k});
     * {@code getRequestURL()} keeps it.
     */
    static String rawPath(HttpServletRequest req) {
        String url = req.getRequestURL().toString();
        int scheme = url.indexOf("://");
        int path = scheme < 0 ? -1 : url.indexOf('/', scheme + 3);
        return path < 0 ? "/" : url.substring(path);
    }

    /** The key bytes a raw (still percent-encoded) path tail names; see the class comment for the rules. */
    static byte[] decode(String encoded) {
        if (encoded.isEmpty()) {
            throw ClientError.badKey("the key is empty: a key is 1 to " + MAX_KEY_BYTES + " bytes of UTF-8");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%') {
                int hi = i + 2 < encoded.length() ? Character.digit(encoded.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(encoded.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    throw ClientError.badKey("the key has a malformed escape at character " + i
                            + ": % must be followed by two hex digits");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c > 0x7e) {
                // How a container turned raw bytes into characters is its own choice: only an escape is exact.
                throw ClientError.badKey("the key has a raw non-ASCII character at character " + i
                        + ": percent-encode the key's UTF-8 bytes");
            } else {
                out.write(c);
            }
        }
        byte[] key = out.toByteArray();
        if (key.length > MAX_KEY_BYTES) {
            throw ClientError.badKey("the key is " + key.length + " bytes once decoded; a key is 1 to "
                    + MAX_KEY_BYTES + " bytes of UTF-8");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(key)).toString();
        } catch (CharacterCodingException e) {
            throw ClientError.badKey("the key's bytes are not UTF-8: percent-encode the key's UTF-8 bytes");
        }
        checkRules(text);
        return key;
    }

    /** A key given as text (a batch's JSON): its UTF-8 bytes, checked against the same rules as a path's key. */
    static byte[] validate(String text) {
        byte[] key = text.getBytes(StandardCharsets.UTF_8);
        if (key.length == 0 || key.length > MAX_KEY_BYTES) {
            throw ClientError.badKey("the key is " + key.length + " bytes; a key is 1 to " + MAX_KEY_BYTES
                    + " bytes of UTF-8");
        }
        if (!new String(key, StandardCharsets.UTF_8).equals(text)) {
            throw ClientError.badKey("the key has a lone surrogate (\\uD800-\\uDFFF): it is not UTF-8");
        }
        checkRules(text);
        return key;
    }

    private static void checkRules(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw ClientError.badKey("the key has control character U+" + String.format("%04X", (int) c)
                        + " at character " + i + "; keys may not hold control characters");
            }
        }
        for (String segment : text.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                throw ClientError.badKey("the key has a path segment '" + segment
                        + "'; clients resolve such segments before sending, so keys may not hold them");
            }
        }
    }
}
