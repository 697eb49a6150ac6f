package io.aurora4j.notify;

import static io.aurora4j.notify.Fixtures.DEADLINE;
import static io.aurora4j.notify.Fixtures.await;
import static io.aurora4j.notify.Fixtures.event;
import static io.aurora4j.notify.Fixtures.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Each listener sees its events one at a time in publish (= sequence) order, whatever the executor;
 * different listeners run concurrently; sequences must increase.
 */
class OrderingTest {

    @Test
    void perListenerOrderHoldsOnAMultiThreadedPool() {
        assertTimeoutPreemptively(DEADLINE, () -> {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try (RollbackNotifier notifier = RollbackNotifier.builder("bank").executor(pool).build()) {
                List<Fixtures.Recorder> listeners = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    Fixtures.Recorder r = new Fixtures.Recorder() {
                        @Override
                        void work(RollbackEvent event) {
                            if (ThreadLocalRandom.current().nextInt(8) == 0) {
                                Thread.yield(); // let another pool thread try to overtake
                            }
                        }
                    };
                    listeners.add(r);
                    notifier.register(r);
                }
                for (long seq = 1; seq <= 2000; seq++) {
                    notifier.publish(event(seq));
                }
                await(notifier.delivered());
                for (Fixtures.Recorder r : listeners) {
                    assertEquals(range(1, 2000), r.sequences());
                    assertEquals(1, r.maxInFlight.get(), "two pool threads ran one listener at once");
                }
                assertTrue(listeners.stream().flatMap(r -> r.threads.stream()).distinct().count() > 1,
                        "the test meant to exercise several pool threads");
            } finally {
                pool.shutdown();
                assertTrue(pool.awaitTermination(Fixtures.DEADLINE_SECONDS, TimeUnit.SECONDS));
            }
        });
    }

    /** Listener A waits for listener B; a notifier that ran listeners one after another would hang. */
    @Test
    void differentListenersRunConcurrently() throws Exception {
        try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
            CountDownLatch bRan = new CountDownLatch(1);
            AtomicBoolean aSawB = new AtomicBoolean();
            notifier.register(e -> aSawB.set(bRan.await(Fixtures.DEADLINE_SECONDS, TimeUnit.SECONDS)));
            notifier.register(e -> bRan.countDown());
            notifier.publish(event(1));
            await(notifier.delivered());
            assertTrue(aSawB.get(), "listener B could not run while listener A was busy");
        }
    }

    @Test
    void aSlowListenerDoesNotDelayTheOthers() throws Exception {
        try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
            Fixtures.Blocker slow = new Fixtures.Blocker(1);
            Fixtures.Recorder fast = new Fixtures.Recorder();
            CountDownLatch fastGotThree = new CountDownLatch(3);
            notifier.register(slow);
            notifier.register(e -> fastGotThree.countDown());
            notifier.register(fast);
            for (long seq = 1; seq <= 3; seq++) {
                notifier.publish(event(seq));
            }
            Fixtures.await(fastGotThree, "the fast listener, while the slow one is blocked");
            assertEquals(List.of(1L), slow.sequences(), "the slow listener must still be inside event 1");
            slow.release.countDown();
            await(notifier.delivered());
            assertEquals(range(1, 3), slow.sequences());
            assertEquals(range(1, 3), fast.sequences());
        }
    }

    @Test
    void aSequenceNotAfterTheLastIsRejectedNamingBoth() throws Exception {
        try (RollbackNotifier notifier = RollbackNotifier.builder("bank").executor(Runnable::run).build()) {
            Fixtures.Recorder r = new Fixtures.Recorder();
            notifier.register(r);
            notifier.publish(event(5));
            String same = assertThrows(IllegalArgumentException.class, () -> notifier.publish(event(5))).getMessage();
            assertTrue(same.contains("'bank'") && same.contains("sequence 5 is not after the last published sequence 5"),
                    same);
            String older = assertThrows(IllegalArgumentException.class, () -> notifier.publish(event(3))).getMessage();
            assertTrue(older.contains("sequence 3 is not after the last published sequence 5"), older);
            notifier.publish(event(9)); // gaps are fine: a sequence only has to increase
            assertEquals(List.of(5L, 9L), r.sequences(), "a rejected event was delivered");
        }
    }

    @Test
    void publishingWithNoListenersStillAdvancesTheSequence() {
        try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
            notifier.publish(event(4));
            assertThrows(IllegalArgumentException.class, () -> notifier.publish(event(4)));
        }
    }

    @Test
    void publishOfNullIsRejected() {
        try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
            assertEquals("event", assertThrows(NullPointerException.class, () -> notifier.publish(null)).getMessage());
        }
    }

    /**
     * Publishers that do not serialize themselves: each takes a sequence from a shared counter and
     * publishes it without a lock, so some lose the race and are rejected. Every listener must see
     * exactly the accepted events, in increasing order.
     */
    @Test
    void unserializedConcurrentPublishersAreSafe() {
        assertTimeoutPreemptively(DEADLINE.multipliedBy(2), () -> {
            try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
                List<Fixtures.Recorder> listeners = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    Fixtures.Recorder r = new Fixtures.Recorder() {
                        @Override
                        void work(RollbackEvent event) {
                            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(20_000));
                        }
                    };
                    listeners.add(r);
                    notifier.register(r);
                }
                AtomicLong counter = new AtomicLong();
                ConcurrentSkipListSet<Long> accepted = new ConcurrentSkipListSet<>();
                AtomicLong rejected = new AtomicLong();
                List<Thread> threads = new ArrayList<>();
                for (int p = 0; p < 6; p++) {
                    threads.add(Thread.ofPlatform().start(() -> {
                        for (int i = 0; i < 500; i++) {
                            RollbackEvent e = event(counter.incrementAndGet());
                            try {
                                notifier.publish(e);
                                accepted.add(e.sequence());
                            } catch (IllegalArgumentException lostTheRace) {
                                rejected.incrementAndGet();
                            }
                        }
                    }));
                }
                for (Thread t : threads) {
                    t.join();
                }
                await(notifier.delivered());
                assertEquals(3000, accepted.size() + rejected.get());
                List<Long> expected = new ArrayList<>(accepted);
                for (Fixtures.Recorder r : listeners) {
                    assertEquals(expected, r.sequences(), "exactly the accepted events, in increasing order");
                    assertEquals(1, r.maxInFlight.get());
                }
            }
        });
    }
}
