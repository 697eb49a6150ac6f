package io.aurora4j.modelchecks.durability;

import io.aurora4j.txn.Group;
import java.time.Duration;

/** A memory store; periodic checkpoints off so barriers flush on the calling thread, under the model checker. */
public class DurableTransfersTest extends DurableTransfersLincheckTest {

    public DurableTransfersTest() {
        super(store -> Group.builder("durable").store(store).checkpointEvery(Duration.ZERO).maintenanceExecutor(Runnable::run));
    }
}
