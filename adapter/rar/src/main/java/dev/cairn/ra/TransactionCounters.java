package dev.cairn.ra;

import java.util.concurrent.atomic.AtomicLong;

/** How many local transactions and XA branches the adapter began, prepared, committed and rolled back ({@link StoreFigures} names them). */
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
}
