package io.aurora4j.notify;

import static io.aurora4j.notify.Fixtures.await;
import static io.aurora4j.notify.Fixtures.event;
import static io.aurora4j.notify.Fixtures.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A listener whose registration is closed before an event's delivery to it started never receives
 * that event; a call already running finishes; close is idempotent.
 */
class ClosedRegistrationTest {

    @Test
    void eventsNotYetStartedAreDroppedAndTheRunningOneFinishes() throws Exception {
        try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
            Fixtures.Blocker blocker = new Fixtures.Blocker(1);
            Registration reg = notifier.register(blocker);
            Fixtures.Recorder other = new Fixtures.Recorder();
            notifier.register(other);
            notifier.publish(event(1));
            Fixtures.await(blocker.entered, "event 1 to be in delivery");
            notifier.publish(event(2));
            notifier.publish(event(3));
            reg.close(); // 2 and 3 are queued for the blocker but not started
            blocker.release.countDown();
            await(notifier.delivered());
            assertEquals(0, blocker.finished.getCount(), "the running call must finish");
            assertEquals(List.of(1L), blocker.sequences(), "events queued before close but not started");
            assertEquals(range(1, 3), other.sequences(), "closing one registration affects only it");
        }
    }

    @Test
    void aListenerMayCloseItsOwnRegistrationFromInsideOnRollback() throws Exception {
        try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
            AtomicReference<Registration> self = new AtomicReference<>();
            CountDownLatch allPublished = new CountDownLatch(1);
            Fixtures.Recorder oneShot = new Fixtures.Recorder() {
                @Override
                void work(RollbackEvent event) throws Exception {
                    // 2 and 3 are queued for this listener before it closes itself
                    Fixtures.await(allPublished, "all three events to be published");
                    self.get().close();
                }
            };
            Fixtures.Recorder other = new Fixtures.Recorder();
            self.set(notifier.register(oneShot));
            notifier.register(other);
            notifier.publish(event(1));
            notifier.publish(event(2));
            notifier.publish(event(3));
            allPublished.countDown();
            await(notifier.delivered());
            assertEquals(List.of(1L), oneShot.sequences(), "a one-shot listener got more than one event");
            assertEquals(range(1, 3), other.sequences());
            assertEquals(1, notifier.listenerCount());
        }
    }

    @Test
    void deliveredWaitsForTheRunningCallOfAClosedRegistration() throws Exception {
        try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
            Fixtures.Blocker blocker = new Fixtures.Blocker(1);
            Registration reg = notifier.register(blocker);
            notifier.publish(event(1));
            Fixtures.await(blocker.entered, "event 1 to be in delivery");
            reg.close();
            CompletableFuture<Void> delivered = notifier.delivered();
            assertFalse(delivered.isDone(), "event 1 is still being delivered to the closed registration");
            blocker.release.countDown();
            await(delivered);
            assertEquals(0, blocker.finished.getCount(), "delivered() completed before the running call returned");
        }
    }

    @Test
    void closeIsIdempotentAndStopsLaterEvents() throws Exception {
        try (RollbackNotifier notifier = RollbackNotifier.builder("bank").executor(Runnable::run).build()) {
            Fixtures.Recorder r = new Fixtures.Recorder();
            Registration reg = notifier.register(r);
            notifier.register(new Fixtures.Recorder());
            notifier.publish(event(1));
            reg.close();
            reg.close();
            assertEquals(1, notifier.listenerCount(), "a second close removed another registration");
            assertTrue(reg.toString().contains("closed"), reg.toString());
            notifier.publish(event(2));
            assertEquals(List.of(1L), r.sequences());
            assertTrue(notifier.delivered().isDone());
        }
    }
}
