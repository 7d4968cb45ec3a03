package dev.cairn.engine.tree;

import java.util.Arrays;
import java.util.Comparator;

/** Key order and bounds of the tree: keys are byte strings in unsigned lexicographic order. */
public final class Keys {

    public static final Comparator<byte[]> ORDER = Arrays::compareUnsigned;
    public static final byte[] LOWEST = new byte[0];
    /**
     * Longest key the tree takes: a user key (256 bytes) plus one byte the
     * object layer will use to keep large values' chunks apart from user keys.
     */
    public static final int MAX_KEY = 257;

    private Keys() {
    }
}
