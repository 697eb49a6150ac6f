package io.aurora4j.notify;

import static io.aurora4j.notify.Fixtures.await;
import static io.aurora4j.notify.Fixtures.event;
import static io.aurora4j.notify.Fixtures.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An executor that refuses a delivery task loses no event: the refusal goes to the error handler,
 * the events stay queued, and the next publish, delivered or close call tries again.
 */
class ExecutorRejectionTest {

    /** Refuses every task while {@link #refusing} is set; otherwise runs it on a virtual thread. */
    static final class SwitchableExecutor implements Executor {
        volatile boolean refusing = true;
        final AtomicInteger refusals = new AtomicInteger();

        @Override
        public void execute(Runnable task) {
            if (refusing) {
                refusals.incrementAndGet();
                throw new RejectedExecutionException("refusing for the test");
            }
            Thread.ofVirtual().start(task);
        }
    }

    @Test
    void aRefusedDeliveryIsReportedAndRetriedByTheNextPublish() throws Exception {
        SwitchableExecutor executor = new SwitchableExecutor();
        Fixtures.Reports reports = new Fixtures.Reports();
        try (RollbackNotifier notifier = RollbackNotifier.builder("bank").executor(executor).errorHandler(reports)
                .build()) {
            Fixtures.Recorder r = new Fixtures.Recorder();
            notifier.register(r);
            notifier.publish(event(1)); // does not throw
            notifier.publish(event(2));
            assertEquals(2, executor.refusals.get());
            List<Fixtures.Report> got = reports.list();
            assertEquals(2, got.size());
            for (Fixtures.Report report : got) {
                assertSame(r, report.listener());
                assertEquals(1, report.event().sequence(), "reports name the oldest undelivered event");
                assertInstanceOf(RejectedExecutionException.class, report.error());
            }
            assertEquals(List.of(), r.sequences());

            executor.refusing = false;
            notifier.publish(event(3));
            await(notifier.delivered());
            assertEquals(range(1, 3), r.sequences(), "refused events lost or reordered");
        }
    }

    @Test
    void aDeliveredFutureWhoseTaskIsRefusedFailsAndALaterCallRetries() throws Exception {
        SwitchableExecutor executor = new SwitchableExecutor();
        try (RollbackNotifier notifier = RollbackNotifier.builder("bank").executor(executor)
                .errorHandler(new Fixtures.Reports()).build()) {
            Fixtures.Recorder r = new Fixtures.Recorder();
            notifier.register(r);
            notifier.publish(event(1));
            CompletableFuture<Void> refused = notifier.delivered();
            assertTrue(refused.isCompletedExceptionally(), "delivered() must not wait for a retry that may never come");
            ExecutionException e = assertThrows(ExecutionException.class, refused::get);
            assertInstanceOf(RejectedExecutionException.class, e.getCause());

            executor.refusing = false;
            await(notifier.delivered());
            assertEquals(List.of(1L), r.sequences());
        }
    }

    @Test
    void closeRetriesRefusedDeliveries() throws Exception {
        SwitchableExecutor executor = new SwitchableExecutor();
        RollbackNotifier notifier = RollbackNotifier.builder("bank").executor(executor)
                .errorHandler(new Fixtures.Reports()).build();
        CountDownLatch got = new CountDownLatch(2);
        Fixtures.Recorder r = new Fixtures.Recorder() {
            @Override
            void work(RollbackEvent event) {
                got.countDown();
            }
        };
        notifier.register(r);
        notifier.publish(event(1));
        notifier.publish(event(2));
        executor.refusing = false;
        notifier.close(); // the only retry point used here
        Fixtures.await(got, "close() to retry the refused deliveries");
        assertEquals(range(1, 2), r.sequences());
    }

    @Test
    void anErrorHandlerThatThrowsOnARefusalDoesNotBreakPublish() throws Exception {
        SwitchableExecutor executor = new SwitchableExecutor();
        try (Fixtures.CapturedLog log = new Fixtures.CapturedLog();
             RollbackNotifier notifier = RollbackNotifier.builder("bank").executor(executor)
                     .errorHandler((l, e, t) -> {
                         throw new IllegalStateException("handler broke");
                     }).build()) {
            Fixtures.Recorder r = new Fixtures.Recorder();
            notifier.register(r);
            notifier.publish(event(1)); // the handler throws; publish must not
            assertEquals(1, log.list().size(), "the handler's failure is logged");
            executor.refusing = false;
            notifier.publish(event(2));
            await(notifier.delivered());
            assertEquals(range(1, 2), r.sequences());
        }
    }

    @Test
    void aRefusalForOneListenerDoesNotStopTheOthers() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        // refuses every other task: listeners registered in turn get alternate fates on publish 1
        Executor flaky = task -> {
            if (calls.getAndIncrement() % 2 == 0) {
                throw new RejectedExecutionException("every other task");
            }
            Thread.ofVirtual().start(task);
        };
        Fixtures.Reports reports = new Fixtures.Reports();
        try (RollbackNotifier notifier = RollbackNotifier.builder("bank").executor(flaky).errorHandler(reports)
                .build()) {
            Fixtures.Recorder a = new Fixtures.Recorder();
            Fixtures.Recorder b = new Fixtures.Recorder();
            notifier.register(a);
            notifier.register(b);
            notifier.publish(event(1)); // a refused, b runs
            assertEquals(1, reports.list().size());
            assertSame(a, reports.list().get(0).listener());
            // keep publishing: each publish retries a; the executor lets every other task through
            for (long seq = 2; seq <= 6; seq++) {
                notifier.publish(event(seq));
            }
            CompletableFuture<Void> delivered = notifier.delivered();
            while (!delivered.isDone() || delivered.isCompletedExceptionally()) {
                await(delivered.exceptionally(t -> null));
                delivered = notifier.delivered(); // a refused delivered() is retried by the next call
            }
            assertEquals(range(1, 6), a.sequences());
            assertEquals(range(1, 6), b.sequences());
        }
    }
}
