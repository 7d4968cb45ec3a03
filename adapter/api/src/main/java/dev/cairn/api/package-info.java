/**
 * What applications compile against: {@code CairnConnectionFactory} and
 * {@code CairnConnection}, the value types (writes, preconditions, object and
 * snapshot information, figures), the MXBean interface, and every exception
 * the store throws, the engine's included, so callers need nothing else.
 *
 * <p>Threads: the caller's; a connection is used by one thread at a time, as
 * any JCA connection. Interfaces, immutable values and exceptions: no lock.
 */
package dev.cairn.api;
