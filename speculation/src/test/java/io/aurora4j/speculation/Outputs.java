package io.aurora4j.speculation;

import io.aurora4j.boundary.Boundary;
import io.aurora4j.boundary.Sink;
import io.aurora4j.txn.Group;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

/** A boundary that records what it delivered, released on the calling thread so tests need no waiting. */
final class Outputs {
    final List<String> delivered = new CopyOnWriteArrayList<>();
    final Boundary<String> boundary;

    Outputs(Group g) {
        Executor direct = Runnable::run;
        boundary = Boundary.<String>builder(g, "out").sink(Sink.of(delivered::add)).releaseExecutor(direct).open();
    }

    List<String> settled() {
        boundary.flush().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS);
        return List.copyOf(delivered);
    }
}
