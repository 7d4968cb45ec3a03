package dev.cairn.engine.txn;

import dev.cairn.engine.tree.Keys;
import java.util.AbstractMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * The snapshot's entries with this transaction's writes laid over them,
 * in key order: an own write replaces the snapshot's entry for its key,
 * an own delete hides it; {@code fromOwn} turns an own value into the
 * snapshot's kind of value (its bytes, its size). An own write equal (by
 * identity) to {@code deleted} is a delete.
 */
public final class Overlay<V> implements Iterator<Map.Entry<byte[], V>> {
    private final Iterator<Map.Entry<byte[], V>> base;
    private final Iterator<Map.Entry<byte[], Object>> own;
    private final Object deleted;
    private final Function<Object, V> fromOwn;
    private Map.Entry<byte[], V> b;
    private Map.Entry<byte[], Object> o;
    private Map.Entry<byte[], V> next;

    public Overlay(Iterator<Map.Entry<byte[], V>> base, Iterator<Map.Entry<byte[], Object>> own, Object deleted,
                   Function<Object, V> fromOwn) {
        this.base = base;
        this.deleted = deleted;
        this.own = own;
        this.fromOwn = fromOwn;
        b = base.hasNext() ? base.next() : null;
        o = own.hasNext() ? own.next() : null;
    }

    @Override
    public boolean hasNext() {
        while (next == null && (b != null || o != null)) {
            int c = b == null ? 1 : o == null ? -1 : Keys.ORDER.compare(b.getKey(), o.getKey());
            if (c < 0) {
                next = b;
                b = base.hasNext() ? base.next() : null;
            } else {
                if (o.getValue() != deleted) {
                    next = new AbstractMap.SimpleImmutableEntry<>(o.getKey().clone(), fromOwn.apply(o.getValue()));
                }
                if (c == 0) {
                    b = base.hasNext() ? base.next() : null;
                }
                o = own.hasNext() ? own.next() : null;
            }
        }
        return next != null;
    }

    @Override
    public Map.Entry<byte[], V> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Map.Entry<byte[], V> n = next;
        next = null;
        return n;
    }
}
