package io.aurora4j.boundary;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A sink that records what it was given. */
final class Recorder<T> implements Consumer<T> {
    final List<T> got = new CopyOnWriteArrayList<>();

    @Override
    public void accept(T t) {
        got.add(t);
    }
}
