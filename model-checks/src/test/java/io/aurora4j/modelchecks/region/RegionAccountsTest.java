package io.aurora4j.modelchecks.region;

import io.aurora4j.txn.Group;

/** Default retention; memory release on the calling thread so the model checker sees it. */
public class RegionAccountsTest extends RegionAccountsLincheckTest {

    public RegionAccountsTest() {
        super(Group.builder("region").maintenanceExecutor(Runnable::run).open());
    }
}
