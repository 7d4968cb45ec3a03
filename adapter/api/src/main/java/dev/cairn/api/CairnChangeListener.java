package dev.cairn.api;

/**
 * The message listener of Cairn's inbound side: a message-driven bean that
 * implements it receives every committed put and delete of the keys its
 * activation names (see the README's "Reacting to changes"). Events come
 * after their commit is durable, one at a time, in commit order, at least
 * once: a delivery whose transaction rolls back, or that throws, or that a
 * crash interrupts, comes again. When the bean's method runs in a
 * container-managed transaction, that transaction's commit is what
 * acknowledges the event; without one, its return is.
 */
public interface CairnChangeListener {

    /** One committed change; throwing (or rolling back) has the event delivered again. */
    void onChange(ChangeEvent event);
}
