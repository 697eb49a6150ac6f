package io.aurora4j.modelchecks.cut;

import io.aurora4j.txn.Group;

/**
 * Default retention; memory release runs on the calling thread so the model checker sees it (the default
 * executor is a virtual thread, outside its control).
 */
public class AntiDependencyCutTest extends AntiDependencyCutLincheckTest {

    public AntiDependencyCutTest() {
        super(Group.builder("anti-dependency-cut").maintenanceExecutor(Runnable::run).open());
    }
}
