package io.aurora4j.modelchecks.retry;

import io.aurora4j.txn.Group;

/** The slot in a group whose memory release runs on the calling thread (so the model checker sees it). */
public class RetrySlotTest extends RetrySlotLincheckTest {

    public RetrySlotTest() {
        super(Group.builder("retry-slot").maintenanceExecutor(Runnable::run).open());
    }
}
