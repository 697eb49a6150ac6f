package io.aurora4j.notify;

import static io.aurora4j.notify.Fixtures.await;
import static io.aurora4j.notify.Fixtures.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * By default listeners run on virtual threads, never on the publishing thread, and publish never
 * waits for them.
 */
class VirtualThreadDeliveryTest {

    @Test
    void theDefaultExecutorRunsListenersOnNamedVirtualThreads() throws Exception {
        try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
            Fixtures.Recorder r = new Fixtures.Recorder();
            notifier.register(r);
            notifier.publish(event(1));
            await(notifier.delivered());
            List<Thread> threads = List.copyOf(r.threads);
            assertEquals(1, threads.size());
            Thread t = threads.get(0);
            assertTrue(t.isVirtual(), t::toString);
            assertNotSame(Thread.currentThread(), t);
            assertTrue(t.getName().startsWith("aurora4j-notify-bank-"), t.getName());
        }
    }

    @Test
    void publishReturnsWhileAListenerIsBlocked() throws Exception {
        try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
            Fixtures.Blocker blocker = new Fixtures.Blocker(1);
            notifier.register(blocker);
            // If publish ran or awaited the listener, these would hang until the deadline.
            assertTimeoutPreemptively(Duration.ofSeconds(Fixtures.DEADLINE_SECONDS), () -> {
                notifier.publish(event(1));
                Fixtures.await(blocker.entered, "the listener to start");
                notifier.publish(event(2));
                notifier.publish(event(3));
            });
            assertEquals(List.of(1L), blocker.sequences());
            blocker.release.countDown();
            await(notifier.delivered());
            assertEquals(List.of(1L, 2L, 3L), blocker.sequences());
        }
    }
}
