package io.aurora4j.modelchecks.views;

import io.aurora4j.modelchecks.LincheckBudget;
import io.aurora4j.txn.Group;

/**
 * Default retention; memory release runs on the calling thread so the model checker sees it (the default
 * executor is a virtual thread, outside its control).
 */
public class ViewsDuringRollbackTest extends ViewsDuringRollbackLincheckTest {

    public ViewsDuringRollbackTest() {
        super(Group.builder("views").maintenanceExecutor(Runnable::run).open());
    }

    /**
     * A fifth of the standard interleavings per scenario: a view read is three seqlocked box reads, so each
     * invocation has many switch points; the custom scenarios, run first, hold the race this test is for.
     */
    @Override
    protected LincheckBudget budget() {
        return LincheckBudget.standard().withWeight(LincheckBudget.STANDARD_WEIGHT / 5);
    }
}
