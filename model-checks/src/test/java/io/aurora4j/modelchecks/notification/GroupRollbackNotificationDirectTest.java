package io.aurora4j.modelchecks.notification;

import java.util.concurrent.Executor;

/** Listeners run on the rolling-back thread (a direct executor), so every delivery is model-checked. */
public class GroupRollbackNotificationDirectTest extends GroupRollbackNotificationLincheckTest {

    @Override
    protected Executor executor(NotifierDeliveryLincheckTest.TaskQueue pool) {
        return Runnable::run;
    }
}
