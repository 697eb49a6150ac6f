package io.aurora4j.modelchecks.rollback;

import io.aurora4j.txn.Group;

/** Default retention; memory release on the calling thread so the model checker sees it. */
public class RollbackRestoresCheckpointTest extends RollbackRestoresCheckpointLincheckTest {

    public RollbackRestoresCheckpointTest() {
        super(Group.builder("restore").maintenanceExecutor(Runnable::run).open());
    }
}
