package dev.cairn.ra;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** How many local transactions the adapter began, committed and rolled back. */
final class TransactionCounters {

    final AtomicLong begun = new AtomicLong();
    final AtomicLong committed = new AtomicLong();
    final AtomicLong rolledBack = new AtomicLong();
    final AtomicLong failed = new AtomicLong();

    void addTo(Map<String, Long> figures) {
        figures.put("localTransactionsBegun", begun.get());
        figures.put("localTransactionsCommitted", committed.get());
        figures.put("localTransactionsRolledBack", rolledBack.get());
        figures.put("localTransactionsFailed", failed.get());
    }
}
