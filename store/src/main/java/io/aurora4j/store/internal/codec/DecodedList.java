package io.aurora4j.store.internal.codec;

import java.util.AbstractList;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The unmodifiable list a decoded {@code LIST} value becomes: one object over the exact-size array the decoder
 * filled, so that a list costs its references and one small header rather than an {@code ArrayList} plus an
 * unmodifiable wrapper (three objects: a list of many short lists would amplify its input about 25 times).
 * Nulls are allowed, as in the encoding. {@code equals} and {@code hashCode} are {@link java.util.List}'s.
 * Immutable and thread-safe once published (the decoder never touches the array after handing it over).
 */
final class DecodedList extends AbstractList<Object> implements RandomAccess {
    private final Object[] elements;

    DecodedList(Object[] elements) {
        this.elements = elements;
    }

    @Override
    public Object get(int index) {
        Objects.checkIndex(index, elements.length);
        return elements[index];
    }

    @Override
    public int size() {
        return elements.length;
    }
}
