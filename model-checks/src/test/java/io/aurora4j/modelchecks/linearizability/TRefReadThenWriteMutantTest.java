package io.aurora4j.modelchecks.linearizability;

import java.util.Objects;
import java.util.function.Supplier;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * Mutant: {@code compareAndSet} as a read and a write in two separate transactions, as a reference whose
 * CAS did not hold its read and write together would behave. Two threads can both "succeed" from the
 * same expected value; the model checker must find it.
 */
public class TRefReadThenWriteMutantTest extends TRefLincheckTest {

    @Override
    protected <T> T run(Supplier<T> op) {
        return op.get();
    }

    @Override
    @Operation
    public boolean compareAndSet(@Param(name = "v") int expected, @Param(name = "v") int update) {
        if (Objects.equals(ref.get(), value(expected))) {
            ref.set(value(update));
            return true;
        }
        return false;
    }

    @Override
    protected boolean expectViolation() {
        return true;
    }
}
