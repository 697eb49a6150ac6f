package io.aurora4j.modelchecks.rollback;

import io.aurora4j.txn.Group;

/**
 * Default retention (every checkpoint of a scenario stays retained). Memory release runs on the calling
 * thread so the model checker sees it (the default executor is a virtual thread, outside its control).
 */
public class RollbackDuringTransfersTest extends RollbackDuringTransfersLincheckTest {

    public RollbackDuringTransfersTest() {
        super(Group.builder("rollback").maintenanceExecutor(Runnable::run).open());
    }
}
