package io.aurora4j.notify;

import static io.aurora4j.notify.Fixtures.await;
import static io.aurora4j.notify.Fixtures.event;
import static io.aurora4j.notify.Fixtures.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A closed notifier accepts no registrations and no events, still delivers the events it had
 * accepted, and closing it again does nothing.
 */
class ClosedNotifierTest {

    @Test
    void registerAfterCloseIsRejectedNamingTheNotifier() {
        RollbackNotifier notifier = RollbackNotifier.create("bank");
        notifier.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> notifier.register(new Fixtures.Recorder()));
        assertEquals("rollback notifier 'bank' is closed", e.getMessage());
        assertEquals(0, notifier.listenerCount());
    }

    @Test
    void publishAfterCloseIsRejectedAndNotDelivered() throws Exception {
        RollbackNotifier notifier = RollbackNotifier.builder("bank").executor(Runnable::run).build();
        Fixtures.Recorder r = new Fixtures.Recorder();
        notifier.register(r);
        notifier.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> notifier.publish(event(1)));
        assertEquals("rollback notifier 'bank' is closed", e.getMessage());
        await(notifier.delivered());
        assertEquals(List.of(), r.sequences());
    }

    @Test
    void eventsPublishedBeforeCloseAreStillDelivered() throws Exception {
        RollbackNotifier notifier = RollbackNotifier.create("bank");
        Fixtures.Blocker blocker = new Fixtures.Blocker(1);
        Fixtures.Recorder other = new Fixtures.Recorder();
        notifier.register(blocker);
        notifier.register(other);
        for (long seq = 1; seq <= 3; seq++) {
            notifier.publish(event(seq));
        }
        Fixtures.await(blocker.entered, "event 1 to be in delivery");
        notifier.close(); // returns at once, with 2 and 3 still queued for the blocker
        assertTrue(notifier.isClosed());
        CompletableFuture<Void> delivered = notifier.delivered();
        assertFalse(delivered.isDone(), "the blocker is still inside event 1");
        blocker.release.countDown();
        await(delivered);
        assertEquals(range(1, 3), blocker.sequences());
        assertEquals(range(1, 3), other.sequences());
    }

    @Test
    void closeIsIdempotentAndLeavesRegistrationsOpen() throws Exception {
        RollbackNotifier notifier = RollbackNotifier.create("bank");
        Registration reg = notifier.register(new Fixtures.Recorder());
        notifier.close();
        notifier.close();
        assertTrue(notifier.isClosed());
        assertEquals(1, notifier.listenerCount(), "closing the notifier must not close registrations");
        assertTrue(notifier.toString().contains("closed"), notifier.toString());
        reg.close(); // still allowed after the notifier closed
        assertEquals(0, notifier.listenerCount());
        assertTrue(notifier.delivered().isDone(), "nothing pending on a closed, quiet notifier");
        assertEquals("bank", notifier.name());
    }
}
