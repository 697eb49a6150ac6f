package io.aurora4j.modelchecks.notification;

import io.aurora4j.notify.RollbackNotifier;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * Deliveries run on the publishing thread (a direct executor), so the model checker explores the whole
 * mailbox hand-off (the IDLE/SCHEDULED CAS and the re-check after the drain empties the mailbox) between
 * the test's own threads.
 */
public class NotifierDirectExecutorTest extends NotifierDeliveryLincheckTest {

    @Override
    protected Notifier newNotifier(TaskQueue pool) {
        return real(RollbackNotifier.builder("notify").executor(Runnable::run).build());
    }

    @Override
    protected void runPending(BooleanSupplier everyEventReachedEarly) {
        // every drain ran to completion on the thread that scheduled it
    }

    @Override
    protected void await(CompletableFuture<Void> delivered) {
        // delivered() ran any drain it needed on this thread
    }
}
