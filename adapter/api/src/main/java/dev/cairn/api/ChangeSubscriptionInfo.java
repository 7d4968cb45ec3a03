package dev.cairn.api;

/**
 * One subscription to a store's changes, as the store's MBean shows it
 * (an activation of a message-driven bean, when the adapter delivers to one).
 *
 * @param name       the subscription's name (its activation's)
 * @param keyPrefix  the keys it is given changes of ("" for all); empty when no activation is running
 * @param active     whether an activation delivers to it now
 * @param position   the last change it has acknowledged
 * @param lag        changes committed after its position
 * @param delivered  events delivered and acknowledged since the activation started
 * @param failed     deliveries that threw or rolled back since then (each delivered again)
 * @param redelivered events delivered again after a failed delivery, since then
 * @param lastFailure why the last failed delivery failed, or null
 */
public record ChangeSubscriptionInfo(String name, String keyPrefix, boolean active, long position, long lag,
                                     long delivered, long failed, long redelivered, String lastFailure) {
}
