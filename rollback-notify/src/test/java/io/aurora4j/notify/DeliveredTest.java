package io.aurora4j.notify;

import static io.aurora4j.notify.Fixtures.await;
import static io.aurora4j.notify.Fixtures.event;
import static io.aurora4j.notify.Fixtures.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * delivered() completes exactly when every event published before the call has been delivered (or
 * has failed) to every listener it was queued for: not earlier, and not held up by later events.
 */
class DeliveredTest {

    @Test
    void completesAtOnceWhenNothingIsPending() throws Exception {
        try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
            assertTrue(notifier.delivered().isDone(), "no listeners, no events");
            Fixtures.Recorder r = new Fixtures.Recorder();
            notifier.register(r);
            assertTrue(notifier.delivered().isDone(), "an idle listener");
            notifier.publish(event(1));
            await(notifier.delivered());
            assertTrue(notifier.delivered().isDone(), "everything already delivered");
            assertEquals(List.of(1L), r.sequences());
        }
    }

    /**
     * The barrier used to complete the first future while its drain was still SCHEDULED, so a second
     * delivered() made at once saw an idle mailbox as busy (seen in CI-like runs under load).
     */
    @Test
    void isDoneAtOnceRightAfterAnEarlierDeliveredCompleted() throws Exception {
        try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
            Fixtures.Recorder r = new Fixtures.Recorder();
            notifier.register(r);
            for (int i = 1; i <= 20_000; i++) {
                notifier.publish(event(i));
                notifier.delivered().get();
                assertTrue(notifier.delivered().isDone(), "event " + i + " was delivered, yet a new delivered() waits");
            }
            assertEquals(20_000, r.sequences().size());
        }
    }

    @Test
    void isNotDoneWhileAListenerIsStillRunning() throws Exception {
        try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
            Fixtures.Blocker blocker = new Fixtures.Blocker(2);
            notifier.register(blocker);
            notifier.register(new Fixtures.Recorder());
            notifier.publish(event(1));
            notifier.publish(event(2));
            Fixtures.await(blocker.entered, "event 2 to be in delivery");
            CompletableFuture<Void> delivered = notifier.delivered();
            assertFalse(delivered.isDone(), "completed while a listener was inside event 2");
            blocker.release.countDown();
            await(delivered);
            assertEquals(0, blocker.finished.getCount());
        }
    }

    @Test
    void coversOnlyEventsPublishedBeforeTheCall() throws Exception {
        try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
            Fixtures.Blocker blocker = new Fixtures.Blocker(2);
            notifier.register(blocker);
            notifier.publish(event(1));
            CompletableFuture<Void> firstOnly = notifier.delivered();
            notifier.publish(event(2)); // blocks the listener
            await(firstOnly); // must not wait for event 2
            assertEquals(1L, blocker.sequences().get(0));
            CompletableFuture<Void> both = notifier.delivered();
            Fixtures.await(blocker.entered, "event 2 to be in delivery");
            assertFalse(both.isDone());
            blocker.release.countDown();
            await(both);
            assertEquals(range(1, 2), blocker.sequences());
        }
    }

    @Test
    void countsFailedDeliveriesAsDone() throws Exception {
        Fixtures.Reports reports = new Fixtures.Reports();
        try (RollbackNotifier notifier = RollbackNotifier.builder("bank").errorHandler(reports).build()) {
            notifier.register(e -> {
                throw new IllegalStateException("always fails");
            });
            notifier.publish(event(1));
            await(notifier.delivered());
            assertEquals(1, reports.list().size(), "the failure was reported before delivered() completed");
        }
    }

    @Test
    void eachCallReturnsItsOwnFuture() throws Exception {
        try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
            Fixtures.Blocker blocker = new Fixtures.Blocker(1);
            notifier.register(blocker);
            notifier.publish(event(1));
            CompletableFuture<Void> a = notifier.delivered();
            CompletableFuture<Void> b = notifier.delivered();
            assertNotSame(a, b);
            a.cancel(false); // a caller cancelling its future affects no other
            blocker.release.countDown();
            await(b);
            await(notifier.delivered());
        }
    }

    @Test
    void withADirectExecutorEverythingIsDeliveredWhenPublishReturns() {
        try (RollbackNotifier notifier = RollbackNotifier.builder("bank").executor(Runnable::run).build()) {
            Fixtures.Recorder r = new Fixtures.Recorder();
            notifier.register(r);
            notifier.publish(event(1));
            assertEquals(List.of(1L), r.sequences());
            assertTrue(notifier.delivered().isDone());
        }
    }
}
