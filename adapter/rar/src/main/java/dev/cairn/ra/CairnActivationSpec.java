package dev.cairn.ra;

import dev.cairn.api.CairnChangeListener;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.Activation;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.ConfigProperty;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.ResourceAdapter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a message-driven bean implementing {@link CairnChangeListener} asks
 * for: the store (by its connection factory's JNDI name), the keys whose
 * changes it wants, and the name of its durable subscription. Set from the
 * bean's {@code @ActivationConfigProperty}s or from server.xml's
 * {@code <activationSpec>}; the server validates it before activation.
 */
@Activation(messageListeners = CairnChangeListener.class)
public class CairnActivationSpec implements ActivationSpec {

    private ResourceAdapter adapter;

    @ConfigProperty(defaultValue = "eis/cairn", description = "JNDI name of the connection factory of the store whose changes are delivered")
    private String connectionFactoryLookup = "eis/cairn";

    @ConfigProperty(defaultValue = "", description = "Only changes of keys that start with this (UTF-8) are delivered; empty: every key")
    private String keyPrefix = "";

    @ConfigProperty(description = "Name of the durable subscription that keeps this bean's position in the store; "
            + "default: the server's name for the bean (application#module#bean)")
    private String subscriptionName;

    @ConfigProperty(defaultValue = "1000", description = "Milliseconds between deliveries of an event whose last delivery failed")
    private Integer retryIntervalMillis = 1000;

    public String getConnectionFactoryLookup() {
        return connectionFactoryLookup;
    }

    public void setConnectionFactoryLookup(String connectionFactoryLookup) {
        this.connectionFactoryLookup = connectionFactoryLookup;
    }

    public String getKeyPrefix() {
        return keyPrefix;
    }

    public void setKeyPrefix(String keyPrefix) {
        this.keyPrefix = keyPrefix;
    }

    public String getSubscriptionName() {
        return subscriptionName;
    }

    public void setSubscriptionName(String subscriptionName) {
        this.subscriptionName = subscriptionName;
    }

    public Integer getRetryIntervalMillis() {
        return retryIntervalMillis;
    }

    public void setRetryIntervalMillis(Integer retryIntervalMillis) {
        this.retryIntervalMillis = retryIntervalMillis;
    }

    byte[] prefixBytes() {
        return keyPrefix == null ? new byte[0] : keyPrefix.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void validate() throws InvalidPropertyException {
        List<String> why = new ArrayList<>();
        if (connectionFactoryLookup == null || connectionFactoryLookup.isBlank()) {
            why.add("connectionFactoryLookup is empty: name the store's connection factory (eis/cairn by default)");
        }
        if (retryIntervalMillis == null || retryIntervalMillis < 1) {
            why.add("retryIntervalMillis is " + retryIntervalMillis + ": it must be at least 1");
        }
        if (subscriptionName != null && subscriptionName.getBytes(StandardCharsets.UTF_8).length > 200) {
            why.add("subscriptionName is longer than 200 bytes");
        }
        if (!why.isEmpty()) {
            throw new InvalidPropertyException("Cairn activation: " + String.join("; ", why));
        }
    }

    @Override
    public ResourceAdapter getResourceAdapter() {
        return adapter;
    }

    @Override
    public void setResourceAdapter(ResourceAdapter ra) throws ResourceException {
        this.adapter = ra;
    }

    @Override
    public String toString() {
        return "Cairn activation of " + connectionFactoryLookup + " keys \"" + keyPrefix + "\""
                + (subscriptionName == null ? "" : " as " + subscriptionName);
    }
}
