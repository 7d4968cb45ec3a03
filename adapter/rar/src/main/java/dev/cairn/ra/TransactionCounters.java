package dev.cairn.ra;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** How many local transactions and XA branches the adapter began, prepared, committed and rolled back. */
final class TransactionCounters {

    final AtomicLong begun = new AtomicLong();
    final AtomicLong committed = new AtomicLong();
    final AtomicLong rolledBack = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong xaPrepared = new AtomicLong();
    final AtomicLong xaReadOnly = new AtomicLong();
    final AtomicLong xaCommitted = new AtomicLong();
    final AtomicLong xaRolledBack = new AtomicLong();
    final AtomicLong xaFailed = new AtomicLong();

    void addTo(Map<String, Long> figures) {
        figures.put("localTransactionsBegun", begun.get());
        figures.put("localTransactionsCommitted", committed.get());
        figures.put("localTransactionsRolledBack", rolledBack.get());
        figures.put("localTransactionsFailed", failed.get());
        figures.put("xaPrepared", xaPrepared.get());
        figures.put("xaReadOnly", xaReadOnly.get());
        figures.put("xaCommitted", xaCommitted.get());
        figures.put("xaRolledBack", xaRolledBack.get());
        figures.put("xaFailed", xaFailed.get());
    }
}
