package dev.cairn.api;

/**
 * One activated message-driven bean's subscription to a store's changes,
 * registered by the adapter while the activation runs as
 * {@code dev.cairn:type=ChangeSubscription,store="<file>",name="<subscription>"}
 * (in the Admin Center, and as metrics {@code cairn_subscription_*} tagged
 * with store and subscription). The counts are since the activation started.
 */
public interface ChangeSubscriptionMXBean {

    String OBJECT_NAME_PREFIX = "dev.cairn:type=ChangeSubscription";

    /** The subscription's name: its activation's subscriptionName, or the server's name for the bean. */
    String getName();

    /** The store file whose changes it is given. */
    String getStore();

    /** Only changes of keys starting with this are delivered ("" for all). */
    String getKeyPrefix();

    /** The number of the last change it acknowledged. */
    long getPosition();

    /** Changes committed after its position, not yet acknowledged (whatever their keys). */
    long getLag();

    /** Events delivered and acknowledged. */
    long getDelivered();

    /** Deliveries that threw or rolled back; each is delivered again. */
    long getFailed();

    /** Events delivered again after a failed delivery. */
    long getRedelivered();

    /** Why the last failed delivery failed, or null. */
    String getLastFailure();
}
