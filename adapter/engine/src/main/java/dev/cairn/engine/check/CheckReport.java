package dev.cairn.engine.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What a check found. {@link #ok()} when nothing is wrong; {@link #toString()} says everything. */
public final class CheckReport {

    private final List<String> problems = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    long syncGen = -1;
    long reachableBlocks;
    long logBlocks;
    long freeBytes;
    long leakedBlocks;

    void problem(String p) {
        problems.add(p);
    }

    void note(String n) {
        notes.add(n);
    }

    public boolean ok() {
        return problems.isEmpty();
    }

    public List<String> problems() {
        return Collections.unmodifiableList(problems);
    }

    /** Things worth knowing that are not damage (a torn superblock slot that recovery skipped). */
    public List<String> notes() {
        return Collections.unmodifiableList(notes);
    }

    public long syncGen() {
        return syncGen;
    }

    public long reachableBlocks() {
        return reachableBlocks;
    }

    public long leakedBlocks() {
        return leakedBlocks;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        s.append(ok() ? "ok" : "NOT OK: " + problems.size() + " problem(s)").append('\n');
        s.append("  generation ").append(syncGen).append(", ").append(reachableBlocks).append(" reachable blocks, ")
                .append(logBlocks).append(" log blocks, ").append(freeBytes).append(" free bytes, ")
                .append(leakedBlocks).append(" leaked blocks\n");
        problems.forEach(p -> s.append("  problem: ").append(p).append('\n'));
        notes.forEach(n -> s.append("  note: ").append(n).append('\n'));
        return s.toString();
    }
}
