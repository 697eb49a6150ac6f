package io.aurora4j.modelchecks.region;

import io.aurora4j.txn.Group;

/**
 * One retained checkpoint: every {@code save} releases the previous checkpoint's history, so page release
 * (and the pins of forks) runs concurrently with transactions, views and rollbacks.
 */
public class RegionAccountsRetainOneTest extends RegionAccountsLincheckTest {

    public RegionAccountsRetainOneTest() {
        super(Group.builder("region-retain-one").retainCheckpoints(1).maintenanceExecutor(Runnable::run).open());
    }
}
