/**
 * Objects on the tree: inline values in the leaves, large ones in data blocks
 * with a chunk entry each ({@code ObjectLayout}), streamed values reserved
 * before commit, and a commit's writes applied to the tree ({@code ObjectWriter}).
 *
 * <p>Threads: {@code ObjectWriter} runs on the committer, under the store's
 * commit lock and within one block generation; readers and streamed writes on
 * the transaction's thread; {@code OldValueLookup} on a {@code Workers} task or
 * the committer, whichever begins first (a compare-and-set). No lock here.
 */
package dev.cairn.engine.object;
