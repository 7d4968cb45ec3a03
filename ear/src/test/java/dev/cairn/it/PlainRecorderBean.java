package dev.cairn.it;

import dev.cairn.api.CairnChangeListener;
import dev.cairn.api.ChangeEvent;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A second message-driven bean of EventsIT's application, for keys under
 * {@code plain/}, whose method runs without a transaction: the adapter
 * acknowledges what it returned from, and its own subscription (named in
 * its activation config) keeps its position apart from the other bean's.
 */
@MessageDriven(messageListenerInterface = CairnChangeListener.class, activationConfig = {
        @ActivationConfigProperty(propertyName = "keyPrefix", propertyValue = "plain/"),
        @ActivationConfigProperty(propertyName = "subscriptionName", propertyValue = "plain-recorder")})
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class PlainRecorderBean implements CairnChangeListener {

    /** Every delivery, in the order received: "position KIND key". */
    static final List<String> RECEIVED = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onChange(ChangeEvent event) {
        RECEIVED.add(event.position() + " " + event.kind() + " " + event.keyString());
    }
}
