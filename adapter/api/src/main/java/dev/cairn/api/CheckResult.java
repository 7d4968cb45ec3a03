package dev.cairn.api;

import java.util.List;

/**
 * What a full check of the store found.
 *
 * @param ok              true when every block verified, nothing leaked, nothing reachable was free
 * @param problems        what is wrong, one line each (empty when ok)
 * @param notes           what is worth knowing and not wrong
 * @param generation      the sync generation checked
 * @param reachableBlocks blocks reachable from the durable roots
 * @param leakedBlocks    blocks in use that nothing reaches
 */
public record CheckResult(boolean ok, List<String> problems, List<String> notes, long generation, long reachableBlocks,
                          long leakedBlocks) {
}
