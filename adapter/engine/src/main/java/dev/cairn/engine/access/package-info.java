/**
 * The block operations the layers above the blocks use ({@code tree},
 * {@code object}, {@code txn}), as an interface {@code BlockStore} implements:
 * those layers take a {@link dev.cairn.engine.access.BlockAccess} so that they
 * need not import the engine root, which imports them.
 *
 * <p>Threads and locks: an interface only; its implementation's callers are
 * the committer (under the store's commit lock) and readers on their own
 * threads. The locks it takes, and their order, are {@code BlockStore}'s.
 */
package dev.cairn.engine.access;
