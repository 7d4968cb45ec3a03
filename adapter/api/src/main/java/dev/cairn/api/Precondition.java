package dev.cairn.api;

import java.util.Set;

/**
 * A condition on the object under a key that a write, or a read, needs to
 * hold, checked in the same transaction as the operation: HTTP's
 * {@code If-Match} and {@code If-None-Match}. Tags are the strong entity
 * tags Cairn gives values ({@link StoredObject#etag()}); {@code "*"} stands
 * for any object.
 *
 * @param ifMatch     the object must exist with one of these tags ({@code "*"}: any); null: no such condition
 * @param ifNoneMatch the object must not have one of these tags ({@code "*"}: must not exist); null: no such condition
 */
public record Precondition(Set<String> ifMatch, Set<String> ifNoneMatch) {

    private static final Precondition NONE = new Precondition(null, null);

    public Precondition {
        ifMatch = ifMatch == null ? null : Set.copyOf(ifMatch);
        ifNoneMatch = ifNoneMatch == null ? null : Set.copyOf(ifNoneMatch);
    }

    /** No condition: the operation runs whatever the key holds. */
    public static Precondition none() {
        return NONE;
    }

    /** Only while the object has one of {@code tags} ({@code "*"}: while any object exists). */
    public static Precondition ifMatch(String... tags) {
        return new Precondition(Set.of(tags), null);
    }

    /** Only while the object has none of {@code tags} ({@code "*"}: while no object exists). */
    public static Precondition ifNoneMatch(String... tags) {
        return new Precondition(null, Set.of(tags));
    }

    public boolean isNone() {
        return ifMatch == null && ifNoneMatch == null;
    }

    /**
     * Why the condition fails for an object whose tag is {@code currentTag}
     * (null: no object), or null when it holds.
     */
    public String failure(String currentTag) {
        if (ifMatch != null) {
            if (currentTag == null) {
                return "no object exists under the key, and the request needs one (If-Match)";
            }
            if (!ifMatch.contains("*") && !ifMatch.contains(currentTag)) {
                return "the object's tag is " + currentTag + ", not one the request names (If-Match)";
            }
        }
        if (ifNoneMatch != null) {
            if (ifNoneMatch.contains("*") && currentTag != null) {
                return "an object exists under the key (tag " + currentTag + "), and the request needs none (If-None-Match: *)";
            }
            if (currentTag != null && ifNoneMatch.contains(currentTag)) {
                return "the object's tag is " + currentTag + ", one the request excludes (If-None-Match)";
            }
        }
        return null;
    }
}
