package dev.cairn.engine.block;

/**
 * Facts of the on-disk format shared by every block (design.md §2): the block
 * size, the type codes that start every non-data block, the log header size.
 * Every on-disk integer is big-endian; every address is a byte offset aligned
 * to {@link #BLOCK_SIZE}.
 */
public final class BlockFormat {

    public static final int BLOCK_SIZE = 16 * 1024;

    public static final int TYPE_DATA = 0;
    public static final int TYPE_PIVOT = 1;
    public static final int TYPE_LEAF = 2;
    public static final int TYPE_LOG = 3;
    public static final int TYPE_DEADLIST = 4;
    public static final int TYPE_ARENA = 5;
    public static final int TYPE_SUPER = 6;

    /** Log and dead-list header: type[2] logsz[2] loghash[8] next Bptr[24]. */
    public static final int LOG_HEADER_SIZE = 2 + 2 + 8 + Bptr.SIZE;
    /** Bytes a log block holds for entries. */
    public static final int LOG_SPACE = BLOCK_SIZE - LOG_HEADER_SIZE;
    /**
     * Room kept back in every log block: a log block counts as full at
     * {@code LOG_SPACE - LOG_SLOP} bytes, leaving space to record the next
     * log block's allocation (the chain entry) after the entry that filled it.
     */
    public static final int LOG_SLOP = 40;

    private BlockFormat() {
    }

    public static boolean aligned(long addr) {
        return addr >= 0 && addr % BLOCK_SIZE == 0;
    }

    public static String typeName(int type) {
        return switch (type) {
            case TYPE_DATA -> "data";
            case TYPE_PIVOT -> "pivot";
            case TYPE_LEAF -> "leaf";
            case TYPE_LOG -> "log";
            case TYPE_DEADLIST -> "dead-list";
            case TYPE_ARENA -> "arena header";
            case TYPE_SUPER -> "superblock";
            default -> "unknown type " + type;
        };
    }
}
