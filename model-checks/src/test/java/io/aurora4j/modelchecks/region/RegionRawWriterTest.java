package io.aurora4j.modelchecks.region;

import io.aurora4j.txn.Group;

/** A raw writer against concurrent checkpoints and views; memory release on the calling thread. */
public class RegionRawWriterTest extends RegionRawWriterLincheckTest {

    public RegionRawWriterTest() {
        super(Group.builder("raw").retainCheckpoints(4).maintenanceExecutor(Runnable::run).open());
    }
}
