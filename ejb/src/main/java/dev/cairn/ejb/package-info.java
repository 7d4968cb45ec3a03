/**
 * The application's EJB facade over {@code eis/cairn}: {@code ObjectStore}
 * (objects, joining the caller's JTA transaction when there is one) and
 * {@code StoreAdministration} (sync, check, snapshots, figures; opens the store
 * at deployment). Uses Cairn only through {@code dev.cairn.api}.
 *
 * <p>Threads: the container's (request threads calling in, the deployment
 * thread for the startup singleton). {@code StoreAdministration} manages its own
 * concurrency and calls run concurrently; the beans hold no lock.
 */
package dev.cairn.ejb;
