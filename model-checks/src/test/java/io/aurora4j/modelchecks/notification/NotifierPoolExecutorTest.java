package io.aurora4j.modelchecks.notification;

import io.aurora4j.notify.RollbackNotifier;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.jetbrains.lincheck.datastructures.Operation;

/**
 * Deliveries are queued tasks that any test thread may run ({@link #runTask()}), as the threads of a
 * multi-threaded pool would: the notifier must keep one listener's calls serial and ordered even when its
 * tasks could run on several threads at once.
 */
public class NotifierPoolExecutorTest extends NotifierDeliveryLincheckTest {

    @Override
    protected Notifier newNotifier(TaskQueue pool) {
        return real(RollbackNotifier.builder("notify").executor(pool).build());
    }

    /** A pool thread picks up one queued delivery task, if any, and runs it. */
    @Operation
    public void runTask() {
        pool.runOne();
    }

    @Override
    protected void runPending(BooleanSupplier everyEventReachedEarly) {
        pool.runAll();
    }

    @Override
    protected void await(CompletableFuture<Void> delivered) {
        pool.runAll();
    }
}
