package io.aurora4j.modelchecks.speculation;

/**
 * Mutant: speculative work that writes straight through {@code group.atomic} instead of its speculation's
 * {@code atomic}, from a thread that is not {@code Speculation.run}'s (a Lincheck thread carries no access
 * guard) — the access the module documents as not intercepted. After a rollback such a write lands in the
 * restored state and is not refused; the model checker must find that.
 */
public class UninterceptedWriteMutantTest extends SpeculationChainLincheckTest {

    @Override
    protected void write(int i) {
        group.atomic(() -> group.longRef("x").add(1));
    }

    @Override
    protected boolean expectViolation() {
        return true;
    }
}
