package io.aurora4j.notify;

import static io.aurora4j.notify.Fixtures.await;
import static io.aurora4j.notify.Fixtures.event;
import static io.aurora4j.notify.Fixtures.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/**
 * A listener that throws is reported to the error handler and stops nothing else; an error handler
 * that throws is logged and ignored; a VirtualMachineError is rethrown, not reported.
 */
class ListenerFailureTest {

    @Test
    void aThrowingListenerIsReportedAndEveryoneStillGetsEveryEvent() throws Exception {
        Fixtures.Reports reports = new Fixtures.Reports();
        try (RollbackNotifier notifier = RollbackNotifier.builder("bank").errorHandler(reports).build()) {
            IOException failure = new IOException("listener broke");
            Fixtures.Recorder failing = new Fixtures.Recorder() {
                @Override
                void work(RollbackEvent event) throws IOException {
                    if (event.sequence() == 2) {
                        throw failure;
                    }
                }
            };
            Fixtures.Recorder healthy = new Fixtures.Recorder();
            notifier.register(failing);
            notifier.register(healthy);
            for (long seq = 1; seq <= 4; seq++) {
                notifier.publish(event(seq));
            }
            await(notifier.delivered());
            assertEquals(range(1, 4), failing.sequences(), "later events for the failing listener were lost");
            assertEquals(range(1, 4), healthy.sequences());
            List<Fixtures.Report> got = reports.list();
            assertEquals(1, got.size(), () -> "reports: " + got);
            assertSame(failing, got.get(0).listener());
            assertEquals(2, got.get(0).event().sequence());
            assertSame(failure, got.get(0).error());
        }
    }

    @Test
    void anErrorOtherThanAVirtualMachineErrorIsReportedLikeAnException() throws Exception {
        Fixtures.Reports reports = new Fixtures.Reports();
        try (RollbackNotifier notifier = RollbackNotifier.builder("bank").errorHandler(reports).build()) {
            AssertionError failure = new AssertionError("listener assertion");
            Fixtures.Recorder failing = new Fixtures.Recorder() {
                @Override
                void work(RollbackEvent event) {
                    throw failure;
                }
            };
            notifier.register(failing);
            notifier.publish(event(1));
            notifier.publish(event(2));
            await(notifier.delivered());
            assertEquals(range(1, 2), failing.sequences());
            assertEquals(2, reports.list().size());
            assertTrue(reports.list().stream().allMatch(r -> r.error() == failure));
        }
    }

    @Test
    void aThrowingErrorHandlerIsLoggedAndDeliveryGoesOn() throws Exception {
        RuntimeException handlerFailure = new RuntimeException("handler broke");
        ListenerErrorHandler throwingHandler = (listener, event, error) -> {
            throw handlerFailure;
        };
        try (Fixtures.CapturedLog log = new Fixtures.CapturedLog();
             RollbackNotifier notifier = RollbackNotifier.builder("bank").errorHandler(throwingHandler).build()) {
            Fixtures.Recorder failing = new Fixtures.Recorder() {
                @Override
                void work(RollbackEvent event) {
                    throw new IllegalStateException("listener broke on " + event.sequence());
                }
            };
            Fixtures.Recorder healthy = new Fixtures.Recorder();
            notifier.register(failing);
            notifier.register(healthy);
            notifier.publish(event(1));
            notifier.publish(event(2));
            await(notifier.delivered());
            assertEquals(range(1, 2), failing.sequences());
            assertEquals(range(1, 2), healthy.sequences());
            List<LogRecord> records = log.list();
            assertEquals(2, records.size(), "one ERROR per swallowed handler failure");
            for (LogRecord r : records) {
                assertEquals(Level.SEVERE, r.getLevel()); // System.Logger ERROR
                assertSame(handlerFailure, r.getThrown());
                assertTrue(r.getMessage().contains("'bank'") && r.getMessage().contains("error handler"),
                        r.getMessage());
                assertTrue(r.getMessage().contains("listener broke on"), "names the listener's failure: " + r.getMessage());
                assertEquals(0, r.getThrown().getSuppressed().length, "a user's throwable was modified");
            }
        }
    }

    @Test
    void theDefaultHandlerLogsAWarningNamingNotifierListenerAndEvent() throws Exception {
        IllegalStateException failure = new IllegalStateException("listener broke");
        RollbackListener failing = new RollbackListener() {
            @Override
            public void onRollback(RollbackEvent event) {
                throw failure;
            }

            @Override
            public String toString() {
                return "the-failing-listener";
            }
        };
        try (Fixtures.CapturedLog log = new Fixtures.CapturedLog();
             RollbackNotifier notifier = RollbackNotifier.create("bank")) {
            notifier.register(failing);
            notifier.publish(event(3));
            await(notifier.delivered());
            List<LogRecord> records = log.list();
            assertEquals(1, records.size());
            LogRecord r = records.get(0);
            assertEquals(Level.WARNING, r.getLevel());
            assertSame(failure, r.getThrown());
            assertTrue(r.getMessage().contains("'bank'"), r.getMessage());
            assertTrue(r.getMessage().contains("the-failing-listener"), r.getMessage());
            assertTrue(r.getMessage().contains("sequence=3"), r.getMessage());
        }
    }

    /**
     * A VirtualMachineError is not the listener's bug to report: it propagates to the executor's
     * thread. The event counts as delivered, and the listener's later events still arrive.
     */
    @Test
    void aVirtualMachineErrorIsRethrownToTheExecutorAndLaterEventsStillArrive() throws Exception {
        ConcurrentLinkedQueue<Throwable> uncaught = new ConcurrentLinkedQueue<>();
        CountDownLatch threadDied = new CountDownLatch(1);
        Executor executor = task -> Thread.ofVirtual().uncaughtExceptionHandler((t, e) -> {
            uncaught.add(e);
            threadDied.countDown();
        }).start(task);
        Fixtures.Reports reports = new Fixtures.Reports();
        InternalError vmError = new InternalError("simulated VM error");
        try (RollbackNotifier notifier = RollbackNotifier.builder("bank").executor(executor).errorHandler(reports)
                .build()) {
            Fixtures.Recorder listener = new Fixtures.Recorder() {
                @Override
                void work(RollbackEvent event) {
                    if (event.sequence() == 1) {
                        throw vmError;
                    }
                }
            };
            Fixtures.Recorder other = new Fixtures.Recorder();
            notifier.register(listener);
            notifier.register(other);
            notifier.publish(event(1));
            notifier.publish(event(2));
            notifier.publish(event(3));
            await(notifier.delivered());
            assertEquals(range(1, 3), listener.sequences(), "events after the VM error were stranded or repeated");
            assertEquals(range(1, 3), other.sequences());
            assertEquals(List.of(), reports.list(), "a VirtualMachineError must not go to the error handler");
            // The delivery thread dies of the error after handing on the rest, so wait for it.
            Fixtures.await(threadDied, "the delivery thread to die of the VM error");
            assertEquals(List.of(vmError), List.copyOf(uncaught));
        }
    }
}
