package io.aurora4j.modelchecks.notification;

import java.util.concurrent.Executor;
import org.jetbrains.lincheck.datastructures.Operation;

/** Listener deliveries are tasks that any test thread may run, as the threads of a pool would. */
public class GroupRollbackNotificationPoolTest extends GroupRollbackNotificationLincheckTest {

    @Override
    protected Executor executor(NotifierDeliveryLincheckTest.TaskQueue pool) {
        return pool;
    }

    @Operation
    public void runTask() {
        pool.runOne();
    }
}
