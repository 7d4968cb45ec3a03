package dev.cairn.engine.check;

import dev.cairn.engine.block.Bptr;
import java.util.List;

/**
 * Tells the checker which blocks a block refers to. The block layer does not
 * know what its users build (the object tree, snapshot tables); each user
 * supplies the walker for its own block types.
 */
@FunctionalInterface
public interface ReferenceWalker {

    /** Nothing refers to anything: only the roots themselves are reachable. */
    ReferenceWalker ROOTS_ONLY = (bp, block) -> List.of();

    /** The pointers inside {@code block}, which {@code bp} points to and whose hash has been verified. */
    List<Bptr> children(Bptr bp, byte[] block);
}
