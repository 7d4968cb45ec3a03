/**
 * The HTTP API and admin page: servlets for objects, batches, snapshots and
 * administration, their request parsing and error mapping, and the stores'
 * readiness and metrics. Reaches Cairn through the {@code dev.cairn.ejb} beans,
 * {@code dev.cairn.api} and the stores' MBeans only.
 *
 * <p>Threads: the server's request threads, its health and metrics threads,
 * and whichever thread registers a store's MBean (the adapter's). Lock:
 * {@code StoreMetrics}' monitor, held across one reading of the figures (a
 * call to {@code StoreAdministration}); none other.
 */
package dev.cairn.web;
