package io.aurora4j.modelchecks.linearizability;

import java.util.function.Supplier;

/** Each map operation runs inside {@code group.atomic}: buffered writes, validation at commit. */
public class TMapInTransactionsTest extends TMapLincheckTest {

    @Override
    protected <T> T run(Supplier<T> op) {
        return group.atomic(() -> op.get());
    }
}
