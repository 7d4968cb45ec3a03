/**
 * The store's one file ({@code StoreFile}): positional reads and writes, the
 * force, the read-only latch after a failed write or force, and the advisory
 * file lock (exclusive for a writer, shared for the offline check);
 * {@code OpenInThisJvm} refuses a second opener in the same JVM. Channels that
 * change one operation (fault injection) extend {@code ForwardingChannel}.
 *
 * <p>Threads: any; positional I/O on a channel is safe from many threads, the
 * latch is volatile, the set of open files concurrent. No Java lock.
 */
package dev.cairn.engine.disk;
