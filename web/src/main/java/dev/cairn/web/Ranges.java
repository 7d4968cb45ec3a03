package dev.cairn.web;

import jakarta.servlet.http.HttpServletRequest;

/** A GET's {@code Range} header: one byte range of the object, or the whole object. */
final class Ranges {

    /** Bytes {@code first} to {@code last}, both included. */
    record Range(long first, long last) {
        long length() {
            return last - first + 1;
        }
    }

    /** A range that starts past the object's end: {@code 416}. */
    static final Range UNSATISFIABLE = new Range(-1, -2);

    private Ranges() {
    }

    /**
     * The range to send, null for the whole object: when there is no
     * {@code Range}, when {@code If-Range} names another version, or when
     * the header asks for several ranges or is not a byte range (which a
     * server may ignore, answering 200 with everything).
     */
    static Range parse(HttpServletRequest req, long size, String etag) {
        String header = req.getHeader("Range");
        if (header == null) {
            return null;
        }
        String ifRange = req.getHeader("If-Range");
        if (ifRange != null && !ifRange.trim().equals(etag)) {
            return null; // the client's partial copy is of another version: send it all
        }
        String spec = header.trim();
        if (!spec.startsWith("bytes=") || spec.indexOf(',') >= 0) {
            return null;
        }
        spec = spec.substring("bytes=".length()).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            String a = spec.substring(0, dash).trim();
            String b = spec.substring(dash + 1).trim();
            if (a.isEmpty()) { // the last b bytes
                long suffix = Long.parseLong(b);
                if (suffix <= 0) {
                    return UNSATISFIABLE;
                }
                return size == 0 ? UNSATISFIABLE : new Range(Math.max(0, size - suffix), size - 1);
            }
            long first = Long.parseLong(a);
            long last = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
            if (first < 0 || (!b.isEmpty() && Long.parseLong(b) < first)) {
                return null; // not a valid range: ignored
            }
            return first >= size ? UNSATISFIABLE : new Range(first, last);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
