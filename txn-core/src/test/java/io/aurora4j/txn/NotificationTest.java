package io.aurora4j.txn;

import io.aurora4j.notify.Registration;
import io.aurora4j.notify.RollbackEvent;
import io.aurora4j.notify.RollbackListener;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ARCHITECTURE.md invariant 6: every rollback delivers exactly one event to every listener registered for it, after
 * state has been restored, carrying the cause and the checkpoint.
 */
class NotificationTest {

    private static void awaitDelivered(Group g) throws Exception {
        g.notificationsDelivered().get(Concurrently.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void eachRollbackReachesEachListenerOnceInOrder() throws Exception {
        try (Group g = Group.inMemory("notify")) {
            TLong x = g.newLong("x", 0);
            List<List<RollbackEvent>> seen = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                List<RollbackEvent> mine = Collections.synchronizedList(new ArrayList<>());
                seen.add(mine);
                g.onRollback(mine::add);
            }
            Checkpoint cp1 = g.checkpoint();
            x.set(1);
            Checkpoint cp2 = g.checkpoint();
            x.set(2);
            List<RollbackEvent> published = new ArrayList<>();
            published.add(g.rollback(cp2));
            x.set(3);
            published.add(g.rollback(cp2));
            published.add(g.rollback(cp1));
            awaitDelivered(g);
            for (List<RollbackEvent> mine : seen) {
                assertEquals(List.of(1L, 2L, 3L), mine.stream().map(RollbackEvent::sequence).toList());
                for (int k = 0; k < 3; k++) {
                    assertSame(published.get(k), mine.get(k), "the listener got the event rollback returned");
                }
            }
        }
    }

    @Test
    void listenersRunAfterStateIsRestored() throws Exception {
        try (Group g = Group.inMemory("notify")) {
            TLong x = g.newLong("x", 10);
            TRef<String> r = g.newRef("r", "ten");
            TMap<String, Integer> m = g.newMap("m");
            m.put("k", 10);
            List<String> observed = new CopyOnWriteArrayList<>();
            g.onRollback(e -> observed.add(e.sequence() + ":" + x.get() + "/" + r.get() + "/" + m.get("k") + "/" + m.size()));
            Checkpoint ten = g.checkpoint();
            g.atomic(() -> {
                x.set(20);
                r.set("twenty");
                m.put("k", 20);
                m.put("extra", 1);
            });
            Checkpoint twenty = g.checkpoint();
            x.set(30);
            g.rollback(twenty);
            awaitDelivered(g); // nothing is written until the listener has looked
            g.rollback(ten);
            awaitDelivered(g);
            assertEquals(List.of("1:20/twenty/20/2", "2:10/ten/10/1"), observed);
        }
    }

    @Test
    void theEventCarriesTheCauseAndTheCheckpoint() throws Exception {
        try (Group g = Group.inMemory("notify")) {
            TLong x = g.newLong("x", 0);
            List<RollbackEvent> seen = new CopyOnWriteArrayList<>();
            g.onRollback(seen::add);
            Checkpoint cp = g.checkpoint("before-batch");
            x.set(1);
            g.checkpoint("discarded");
            IllegalStateException cause = new IllegalStateException("batch failed");
            RollbackEvent event = g.rollback(cp, cause);
            awaitDelivered(g);
            assertEquals(List.of(event), seen);
            assertSame(cause, event.cause());
            assertSame(cp, event.checkpoint());
            assertEquals("notify", event.groupName());
            assertEquals(1, event.sequence());
            assertEquals(1, event.discardedCheckpoints());
            assertEquals(1, event.restoredObjects());
            assertEquals("before-batch", event.checkpoint().label().orElseThrow());

            RollbackEvent requested = g.rollback(cp);
            awaitDelivered(g);
            Throwable why = requested.cause();
            assertTrue(why.getMessage().contains(Thread.currentThread().getName()), why.getMessage());
            assertEquals(0, why.getStackTrace().length, "a requested rollback pays for no stack trace");
            assertSame(requested, seen.get(1));
        }
    }

    @Test
    void aThrowingListenerIsReportedAndTheOthersStillGetTheEvent() throws Exception {
        record Report(RollbackListener listener, RollbackEvent event, Throwable error) {
        }
        List<Report> reports = new CopyOnWriteArrayList<>();
        try (Group g = Group.builder("notify").listenerErrorHandler((l, e, t) -> reports.add(new Report(l, e, t))).open()) {
            g.newLong("x", 0);
            AtomicInteger throwerCalls = new AtomicInteger();
            RuntimeException failure = new RuntimeException("listener failed");
            RollbackListener thrower = e -> {
                throwerCalls.incrementAndGet();
                throw failure;
            };
            List<Long> before = new CopyOnWriteArrayList<>();
            List<Long> after = new CopyOnWriteArrayList<>();
            g.onRollback(e -> before.add(e.sequence()));
            g.onRollback(thrower);
            g.onRollback(e -> after.add(e.sequence()));
            Checkpoint cp = g.checkpoint();
            RollbackEvent first = g.rollback(cp);
            RollbackEvent second = g.rollback(cp);
            awaitDelivered(g);
            assertEquals(List.of(1L, 2L), before);
            assertEquals(List.of(1L, 2L), after);
            assertEquals(2, throwerCalls.get(), "a listener that threw still gets later events");
            assertEquals(2, reports.size());
            assertSame(thrower, reports.get(0).listener());
            assertSame(first, reports.get(0).event());
            assertSame(failure, reports.get(0).error());
            assertSame(second, reports.get(1).event());
        }
    }

    @Test
    void aClosedRegistrationGetsNoMoreEvents() throws Exception {
        try (Group g = Group.inMemory("notify")) {
            List<Long> kept = new CopyOnWriteArrayList<>();
            List<Long> closed = new CopyOnWriteArrayList<>();
            g.onRollback(e -> kept.add(e.sequence()));
            Registration reg = g.onRollback(e -> closed.add(e.sequence()));
            Checkpoint cp = g.checkpoint();
            g.rollback(cp);
            awaitDelivered(g);
            reg.close();
            reg.close(); // idempotent
            g.rollback(cp);
            g.rollback(cp);
            awaitDelivered(g);
            assertEquals(List.of(1L), closed);
            assertEquals(List.of(1L, 2L, 3L), kept);
        }
    }

    @Test
    void aListenerRegisteredAfterARollbackDoesNotGetIt() throws Exception {
        try (Group g = Group.inMemory("notify")) {
            Checkpoint cp = g.checkpoint();
            g.rollback(cp);
            List<Long> late = new CopyOnWriteArrayList<>();
            g.onRollback(e -> late.add(e.sequence()));
            g.rollback(cp);
            awaitDelivered(g);
            assertEquals(List.of(2L), late);
        }
    }

    @Test
    void concurrentRollbacksReachEveryListenerExactlyOnceInSequenceOrder() throws Exception {
        int threads = 3;
        int each = 20;
        try (Group g = Group.inMemory("notify")) {
            TLong x = g.newLong("x", 0);
            List<List<Long>> seen = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                List<Long> mine = new CopyOnWriteArrayList<>();
                seen.add(mine);
                g.onRollback(e -> mine.add(e.sequence()));
            }
            Checkpoint cp = g.checkpoint();
            List<Long> returned = new CopyOnWriteArrayList<>();
            Concurrently.run(threads, t -> {
                for (int n = 0; n < each; n++) {
                    x.add(1);
                    returned.add(g.rollback(cp).sequence());
                }
            });
            awaitDelivered(g);
            List<Long> all = LongStream.rangeClosed(1, threads * each).boxed().toList();
            assertEquals(all, returned.stream().sorted().toList(), "each rollback has its own sequence number");
            for (List<Long> mine : seen) {
                assertEquals(all, mine);
            }
            assertEquals(0, x.get());
        }
    }

    @Test
    void eventsPublishedBeforeTheGroupClosesAreStillDelivered() throws Exception {
        List<Long> seen = new CopyOnWriteArrayList<>();
        Group g = Group.inMemory("notify");
        g.onRollback(e -> seen.add(e.sequence()));
        Checkpoint cp = g.checkpoint();
        g.rollback(cp);
        g.rollback(cp);
        g.close();
        awaitDelivered(g);
        assertEquals(List.of(1L, 2L), seen);
    }

    @Test
    void listenersRunOnTheConfiguredExecutor() throws Exception {
        AtomicInteger tasks = new AtomicInteger();
        try (Group g = Group.builder("notify").notificationExecutor(task -> {
            tasks.incrementAndGet();
            Thread.ofVirtual().start(task);
        }).open()) {
            List<Long> seen = new CopyOnWriteArrayList<>();
            g.onRollback(e -> seen.add(e.sequence()));
            g.rollback(g.checkpoint());
            awaitDelivered(g);
            assertEquals(List.of(1L), seen);
            assertTrue(tasks.get() >= 1);
        }
    }

    /**
     * With a direct executor the listener runs on the rolling-back thread. It must not run under the
     * group's lock: the notifier promises listeners "may block", and a listener that waits for another
     * thread using the group (here: taking a checkpoint) must not deadlock.
     */
    @Test
    void aListenerOnADirectExecutorDoesNotHoldTheGroupLock() throws Exception {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        try (Group g = Group.builder("notify").notificationExecutor(Runnable::run)
                .listenerErrorHandler((l, e, t) -> errors.add(t)).open()) {
            List<Checkpoint> taken = new CopyOnWriteArrayList<>();
            g.onRollback(e -> taken.add(CompletableFuture.supplyAsync(g::checkpoint).get(3, TimeUnit.SECONDS)));
            g.rollback(g.checkpoint());
            awaitDelivered(g);
            assertEquals(List.of(), errors, "the listener could not use the group from another thread");
            assertEquals(1, taken.size());
        }
    }
}
