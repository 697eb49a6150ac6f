package io.aurora4j.modelchecks.linearizability;

import java.util.function.Supplier;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * Mutant: {@code putIfAbsent} as a look-up and a put in two transactions, as a map whose compound
 * operations were not atomic would behave. Two threads that both find the key absent both "win"; the
 * model checker must find it.
 */
public class TMapCheckThenActMutantTest extends TMapLincheckTest {

    @Override
    protected <T> T run(Supplier<T> op) {
        return op.get();
    }

    @Override
    @Operation
    public Integer putIfAbsent(@Param(name = "key") int k, @Param(name = "value") int v) {
        Integer old = map.get(k);
        if (old == null) {
            map.put(k, v);
        }
        return old;
    }

    @Override
    protected boolean expectViolation() {
        return true;
    }
}
