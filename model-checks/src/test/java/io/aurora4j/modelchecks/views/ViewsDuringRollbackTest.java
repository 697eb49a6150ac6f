package io.aurora4j.modelchecks.views;

import io.aurora4j.txn.Group;

/**
 * Default retention; memory release runs on the calling thread so the model checker sees it (the default
 * executor is a virtual thread, outside its control).
 */
public class ViewsDuringRollbackTest extends ViewsDuringRollbackLincheckTest {

    public ViewsDuringRollbackTest() {
        super(Group.builder("views").maintenanceExecutor(Runnable::run).open());
    }
}
