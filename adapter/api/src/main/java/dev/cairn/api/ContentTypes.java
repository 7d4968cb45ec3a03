package dev.cairn.api;

/**
 * The media types an object may carry (HTTP's {@code Content-Type}): at most
 * {@value #MAX_BYTES} bytes of printable US-ASCII, shaped
 * {@code type/subtype} with optional {@code ; name=value} parameters
 * (RFC 9110 media-type: type, subtype and names are tokens; a value is a
 * token or a quoted string). Kept as given, byte for byte.
 */
public final class ContentTypes {

    /** Longest media type, in bytes. */
    public static final int MAX_BYTES = 255;

    /** The rule, as an error names it. */
    static final String RULE = "a content type is at most " + MAX_BYTES + " bytes of printable US-ASCII, "
            + "shaped type/subtype with optional ; name=value parameters (for example text/plain; charset=utf-8)";

    private ContentTypes() {
    }

    /**
     * {@code type} when it follows the rule, or null when it is null.
     *
     * @throws InvalidContentTypeException naming the rule when it does not
     */
    public static String check(String type) {
        if (type == null) {
            return null;
        }
        String why = problem(type);
        if (why != null) {
            throw new InvalidContentTypeException("content type \"" + printable(type) + "\" is refused: " + why
                    + "; " + RULE);
        }
        return type;
    }

    private static String problem(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return String.format("it holds the character U+%04X at %d", (int) c, i);
            }
        }
        if (s.length() > MAX_BYTES) {
            return "it is " + s.length() + " bytes long";
        }
        int i = token(s, 0);
        if (i == 0) {
            return "it does not start with a type";
        }
        if (i == s.length() || s.charAt(i) != '/') {
            return "its type is not followed by /subtype";
        }
        int j = token(s, i + 1);
        if (j == i + 1) {
            return "it has no subtype after the /";
        }
        i = j;
        while (true) {
            i = spaces(s, i);
            if (i == s.length()) {
                return null;
            }
            if (s.charAt(i) != ';') {
                return "unexpected '" + s.charAt(i) + "' at " + i;
            }
            i = spaces(s, i + 1);
            j = token(s, i);
            if (j == i) {
                return "a ; at " + (i - 1) + " is not followed by a name=value parameter";
            }
            if (j == s.length() || s.charAt(j) != '=') {
                return "parameter at " + i + " has no =value";
            }
            i = j + 1;
            if (i < s.length() && s.charAt(i) == '"') {
                i = quoted(s, i);
                if (i < 0) {
                    return "a quoted parameter value is not closed";
                }
            } else {
                j = token(s, i);
                if (j == i) {
                    return "parameter at " + i + " has no value";
                }
                i = j;
            }
        }
    }

    /** The end of the token at {@code i} ({@code i} when there is none). */
    private static int token(String s, int i) {
        while (i < s.length() && isTokenChar(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isTokenChar(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static int spaces(String s, int i) {
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    /** The index after the quoted string starting at {@code i}, or -1 when it does not close. */
    private static int quoted(String s, int i) {
        for (i++; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i + 1;
            }
        }
        return -1;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 80; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return s.length() > 80 ? b.append("...").toString() : b.toString();
    }
}
