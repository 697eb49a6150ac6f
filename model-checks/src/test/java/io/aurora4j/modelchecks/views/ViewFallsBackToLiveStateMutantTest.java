package io.aurora4j.modelchecks.views;

import io.aurora4j.txn.CheckpointView;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;

/**
 * Mutant: a reader that, when the view throws because its checkpoint was discarded part-way, keeps the
 * balances it already read and completes the sum from the live state, which a rollback has just restored to
 * {@code base}: a mix of two checkpoints, the torn read the view contract forbids. The model checker must
 * find a {@code viewSum} that does not add up.
 */
public class ViewFallsBackToLiveStateMutantTest extends ViewsDuringRollbackLincheckTest {

    public ViewFallsBackToLiveStateMutantTest() {
        super(Group.builder("views-mutant").maintenanceExecutor(Runnable::run).open());
    }

    @Override
    protected long sum(CheckpointView view) {
        long s = 0;
        for (TLong a : accounts) {
            long v;
            try {
                v = view.get(a);
            } catch (IllegalStateException discarded) {
                v = a.get();
            }
            s += v;
        }
        return s;
    }

    @Override
    protected boolean expectViolation() {
        return true;
    }
}
