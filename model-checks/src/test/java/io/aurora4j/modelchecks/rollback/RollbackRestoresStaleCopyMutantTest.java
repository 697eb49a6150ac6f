package io.aurora4j.modelchecks.rollback;

import io.aurora4j.txn.Group;
import org.jetbrains.lincheck.datastructures.Operation;

/**
 * Mutant: "restore" puts back the counter values copied when the checkpoint was taken, with plain writes
 * after it, which is what a rollback that did not hold the commit gate (or restored objects one by one)
 * could look like: a commit between the copy and the checkpoint, or between the two writes, leaks through.
 * A copy made <em>separately</em> from the checkpoint is not a consistent cut, and the model checker must
 * find the difference.
 */
public class RollbackRestoresStaleCopyMutantTest extends RollbackRestoresCheckpointLincheckTest {

    private volatile long[] copy;

    public RollbackRestoresStaleCopyMutantTest() {
        super(Group.builder("restore-mutant").maintenanceExecutor(Runnable::run).open());
    }

    @Override
    @Operation
    public void save() {
        long[] c = {counters[0].get(), counters[1].get()};
        super.save();
        copy = c;
    }

    @Override
    @Operation
    public boolean restore() {
        long[] c = copy;
        if (!super.restore()) {
            return false;
        }
        counters[0].set(c[0]);
        counters[1].set(c[1]);
        return true;
    }

    @Override
    protected boolean expectViolation() {
        return true;
    }
}
