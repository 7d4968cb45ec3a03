package dev.cairn.engine.block;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Tells the checker which blocks a block refers to. The block layer does not
 * know what its users build (the object tree, its large values); each user
 * supplies the walker for its own block types. A walker may hand each child
 * a context (what a tree node's ancestors still have buffered for it, say),
 * which it gets back when the checker reaches that child.
 *
 * <p>It lives here, with the blocks, rather than with the checker: the
 * layers that supply walkers ({@code tree}, {@code object}, {@code txn})
 * would otherwise import {@code check}, whose command line imports
 * {@code object}, and the packages would form a cycle.
 */
@FunctionalInterface
public interface ReferenceWalker {

    /** The context the checker gives superblock root {@code index}. */
    record RootSlot(int index) {
    }

    /** A block referred to, with the context its walk needs. */
    record Ref(Bptr bp, Object context) {
    }

    /** Nothing refers to anything: only the roots themselves are reachable. */
    ReferenceWalker ROOTS_ONLY = (bp, block, context) -> List.of();

    /**
     * The references inside {@code block}, which {@code bp} points to and
     * whose hash has been verified; {@code context} is what its parent gave
     * it (null at a root).
     */
    List<Ref> children(Bptr bp, byte[] block, Object context);

    /** A walker whose references depend on the block alone. */
    static ReferenceWalker of(BiFunction<Bptr, byte[], List<Bptr>> children) {
        return (bp, block, context) -> {
            List<Ref> out = new ArrayList<>();
            for (Bptr c : children.apply(bp, block)) {
                out.add(new Ref(c, null));
            }
            return out;
        };
    }
}
