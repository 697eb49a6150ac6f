package io.aurora4j.modelchecks.retry;

import io.aurora4j.modelchecks.LincheckBudget;
import io.aurora4j.txn.Group;

/** The slot in a group whose memory release runs on the calling thread (so the model checker sees it). */
public class RetrySlotTest extends RetrySlotLincheckTest {

    public RetrySlotTest() {
        super(Group.builder("retry-slot").maintenanceExecutor(Runnable::run).open());
    }

    /**
     * An eighth of the standard interleavings per scenario: every operation is a transaction with a rollback or a
     * waiter registration in reach, so invocations are long (690 s for both runners at a weight of 0.05, under a
     * load of 15-28; 80 s at a fifth of it on CI); the custom scenarios, run first, hold the races this test is for.
     */
    @Override
    protected LincheckBudget budget() {
        return LincheckBudget.standard().withWeight(LincheckBudget.STANDARD_WEIGHT / 8);
    }
}
