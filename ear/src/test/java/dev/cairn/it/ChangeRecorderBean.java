package dev.cairn.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.cairn.api.CairnChangeListener;
import dev.cairn.api.CairnConnection;
import dev.cairn.api.CairnConnectionFactory;
import dev.cairn.api.ChangeEvent;
import jakarta.annotation.Resource;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A message-driven bean of an application that is not Cairn's (EventsIT
 * deploys it in a WAR of its own): it is given the changes of keys under
 * {@code events/} and, in the delivery's container-managed transaction,
 * writes {@code seen/<position>} through {@code eis/cairn} (and
 * {@code dup/<position>} when it had seen the event already). A key with
 * {@code poison} in it fails its first delivery; one under a {@code slow/}
 * segment takes 20 ms more.
 */
@MessageDriven(messageListenerInterface = CairnChangeListener.class, activationConfig = {
        @ActivationConfigProperty(propertyName = "keyPrefix", propertyValue = "events/"),
        @ActivationConfigProperty(propertyName = "retryIntervalMillis", propertyValue = "300")})
public class ChangeRecorderBean implements CairnChangeListener {

    /** Every delivery, in the order received: "position KIND key[ redelivered]". */
    static final List<String> RECEIVED = Collections.synchronizedList(new ArrayList<>());
    private static final Set<String> POISONED = ConcurrentHashMap.newKeySet();

    @Resource(lookup = "eis/cairn")
    private CairnConnectionFactory cairn;

    @Override
    public void onChange(ChangeEvent event) {
        String key = event.keyString();
        RECEIVED.add(event.position() + " " + event.kind() + " " + key + (event.redelivered() ? " redelivered" : ""));
        if (key.contains("poison") && POISONED.add(key)) {
            throw new IllegalStateException("the first delivery of " + key + " fails");
        }
        if (key.contains("/slow/")) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (CairnConnection c = cairn.getConnection()) {
            byte[] seen = ("seen/" + event.position()).getBytes(UTF_8);
            if (c.exists(seen)) {
                c.put(("dup/" + event.position()).getBytes(UTF_8), key.getBytes(UTF_8));
            }
            c.put(seen, (event.kind() + " " + key + " " + event.size()).getBytes(UTF_8));
        }
    }
}
