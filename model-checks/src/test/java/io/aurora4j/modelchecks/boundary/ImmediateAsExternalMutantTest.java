package io.aurora4j.modelchecks.boundary;

import io.aurora4j.boundary.Boundary;
import io.aurora4j.boundary.Sink;
import io.aurora4j.txn.Group;
import java.util.concurrent.Executor;

/**
 * Mutant: a boundary that delivers before commit and never discards (an IMMEDIATE boundary) checked against
 * the EXTERNAL specification. The model checker must find an aborted transaction's output delivered, or a
 * rollback that discarded nothing.
 */
public class ImmediateAsExternalMutantTest extends BoundaryLincheckTest {

    @Override
    protected Boundary<Integer> open(Group g, Sink<Integer> sink, Executor releaseExecutor) {
        return Boundary.<Integer>builder(g, "out").mode(Boundary.Mode.IMMEDIATE).sink(sink).releaseExecutor(releaseExecutor).open();
    }

    @Override
    protected boolean expectViolation() {
        return true;
    }
}
