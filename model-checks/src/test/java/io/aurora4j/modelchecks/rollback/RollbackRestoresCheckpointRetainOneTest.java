package io.aurora4j.modelchecks.rollback;

import io.aurora4j.txn.Group;

/**
 * One retained checkpoint: each save evicts the previous checkpoint and releases its pre-images inline,
 * interleaved with commits, while the slot always holds the newest (still retained) one.
 */
public class RollbackRestoresCheckpointRetainOneTest extends RollbackRestoresCheckpointLincheckTest {

    public RollbackRestoresCheckpointRetainOneTest() {
        super(Group.builder("restore-retain-1").retainCheckpoints(1).maintenanceExecutor(Runnable::run).open());
    }
}
