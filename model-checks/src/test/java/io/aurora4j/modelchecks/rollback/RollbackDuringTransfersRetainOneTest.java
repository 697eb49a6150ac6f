package io.aurora4j.modelchecks.rollback;

import io.aurora4j.txn.Group;

/**
 * One retained checkpoint: every new checkpoint evicts the previous one and releases its pre-images
 * (inline, on the checkpointing thread, so the model checker interleaves the release with commits and
 * rollbacks), and rollbacks race with eviction.
 */
public class RollbackDuringTransfersRetainOneTest extends RollbackDuringTransfersLincheckTest {

    public RollbackDuringTransfersRetainOneTest() {
        super(Group.builder("rollback-retain-1").retainCheckpoints(1).maintenanceExecutor(Runnable::run).open());
    }
}
