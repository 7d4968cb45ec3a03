/**
 * The JCA resource adapter: the adapter and its registry of open stores, managed
 * connections and their handles, the XAResource and local transactions, the
 * MBean, the figures' history, fail points, and {@code WorkManagerWorkers}, the
 * engine's threads as Work on the server's WorkManager; inbound, the activation
 * spec and the delivery of committed changes to message-driven beans
 * ({@code ChangeDelivery}).
 *
 * <p>Threads: the server's only (application threads through handles, the
 * transaction manager's for XA and recovery, the WorkManager's for engine tasks
 * and delivery rounds, a BootstrapContext timer for figures, standby rounds and
 * delivery sweeps); the adapter starts none. Locks, each
 * taken before the engine's: the {@code StoreRegistry}'s monitor (a store is
 * opened and recovered under it), a managed connection's (across one call's
 * transaction) and {@code XaBranches}' (a branch's {@code Store.begin}).
 * A handle's and a history's monitors guard their fields only.
 */
package dev.cairn.ra;
