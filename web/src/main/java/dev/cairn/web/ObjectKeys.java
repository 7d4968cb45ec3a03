package dev.cairn.web;

import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;

/** The object key in a request path: everything after the servlet's prefix, as UTF-8. */
final class ObjectKeys {

    private ObjectKeys() {
    }

    /** The key bytes, empty when the path names none. The engine validates length. */
    static byte[] from(HttpServletRequest req) {
        String info = req.getPathInfo();
        if (info == null || info.length() <= 1) {
            return new byte[0];
        }
        return info.substring(1).getBytes(StandardCharsets.UTF_8);
    }
}
