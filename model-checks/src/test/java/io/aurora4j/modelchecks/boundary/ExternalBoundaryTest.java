package io.aurora4j.modelchecks.boundary;

import io.aurora4j.boundary.Boundary;
import io.aurora4j.boundary.Sink;
import io.aurora4j.txn.Group;
import java.util.concurrent.Executor;

/** An EXTERNAL boundary, checked against {@link BoundaryLincheckTest.Spec}. */
public class ExternalBoundaryTest extends BoundaryLincheckTest {

    @Override
    protected Boundary<Integer> open(Group g, Sink<Integer> sink, Executor releaseExecutor) {
        return Boundary.<Integer>builder(g, "out").sink(sink).releaseExecutor(releaseExecutor).open();
    }
}
