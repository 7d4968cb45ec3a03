package dev.cairn.web;

import dev.cairn.api.Precondition;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashSet;
import java.util.Set;

/** A request's {@code If-Match} and {@code If-None-Match} headers as a {@link Precondition}. */
final class Conditions {

    private Conditions() {
    }

    static Precondition of(HttpServletRequest req) {
        return new Precondition(tags(req, "If-Match"), tags(req, "If-None-Match"));
    }

    /**
     * The entity tags a header lists, null when absent. Cairn's tags are
     * strong and hold no comma; a weak tag ({@code W/"..."}) never matches
     * a strong comparison, so it is kept as given and matches nothing.
     */
    private static Set<String> tags(HttpServletRequest req, String header) {
        var values = req.getHeaders(header);
        if (values == null || !values.hasMoreElements()) {
            return null;
        }
        Set<String> tags = new LinkedHashSet<>();
        while (values.hasMoreElements()) {
            for (String t : values.nextElement().split(",")) {
                String tag = t.trim();
                if (tag.isEmpty()) {
                    continue;
                }
                if (!tag.equals("*") && !(tag.startsWith("\"") && tag.endsWith("\"") && tag.length() >= 2)
                        && !tag.startsWith("W/\"")) {
                    throw new ClientError(400, "bad_request", header + " holds " + tag
                            + ": an entity tag is quoted (\"...\"), or * for any object");
                }
                tags.add(tag);
            }
        }
        return tags;
    }
}
