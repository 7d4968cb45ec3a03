package dev.cairn.engine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A snapshot of a store's figures.
 *
 * @param keys        live keys
 * @param commits     transactions made durable since open
 * @param syncs       forces that made them durable (commits / syncs is the group-commit factor)
 * @param fileBytes   bytes of the file holding durable commits
 * @param readOnly    true after a failed write or force
 */
public record StoreStats(long keys, long commits, long syncs, long fileBytes, boolean readOnly) {

    /** The figures by name, in a stable order, for JSON and MBeans. */
    public Map<String, Long> asMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("keys", keys);
        m.put("commits", commits);
        m.put("syncs", syncs);
        m.put("fileBytes", fileBytes);
        m.put("readOnly", readOnly ? 1L : 0L);
        return m;
    }
}
