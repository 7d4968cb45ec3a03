/**
 * The block format: the block header and types ({@code BlockFormat}), block
 * pointers ({@code Bptr}: address, XXH3-64 hash, birth generation), the hash,
 * and the {@code ReferenceWalker} each block user supplies so the checker can
 * follow its references.
 *
 * <p>Threads: stateless and immutable; any thread. No lock.
 */
package dev.cairn.engine.block;
