package io.aurora4j.modelchecks.linearizability;

import java.util.function.Supplier;

/** Each reference operation is its own transaction (the path taken outside any {@code atomic} scope). */
public class TRefSingleOperationsTest extends TRefLincheckTest {

    @Override
    protected <T> T run(Supplier<T> op) {
        return op.get();
    }
}
