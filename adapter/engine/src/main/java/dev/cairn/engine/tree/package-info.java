/**
 * The copy-on-write Bε-tree (gefs's layout): node codec, leaves, pivots with
 * their message buffers, the search index, {@code Tree} (reads at a root) and
 * {@code TreeWriter} (a batch of messages to a new root).
 *
 * <p>Threads: readers on their own threads, without locks (a root's blocks
 * never change); one writer at a time per tree, which the store's commit lock
 * serializes, as it guards {@code RootMemo}. No lock in this package.
 */
package dev.cairn.engine.tree;
