package io.aurora4j.modelchecks.durability;

import io.aurora4j.txn.Group;
import java.time.Duration;

/**
 * Retention of one checkpoint: every checkpoint evicts the one before it as soon as the flusher has made it
 * durable, so the release of epochs races with flushes — the pinning of what is not yet durable must hold.
 */
public class DurableTransfersRetainOneTest extends DurableTransfersLincheckTest {

    public DurableTransfersRetainOneTest() {
        super(store -> Group.builder("durable-retain-one").store(store).checkpointEvery(Duration.ZERO)
                .retainCheckpoints(1).maintenanceExecutor(Runnable::run));
    }
}
