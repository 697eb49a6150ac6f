package io.aurora4j.notify;

import static io.aurora4j.notify.Fixtures.DEADLINE;
import static io.aurora4j.notify.Fixtures.await;
import static io.aurora4j.notify.Fixtures.event;
import static io.aurora4j.notify.Fixtures.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/** Each event reaches each listener registered at publish time exactly once, and no other listener. */
class ExactlyOnceDeliveryTest {

    /** A listener that takes a little while, parking (not spinning) so virtual threads interleave. */
    static final class SlowRecorder extends Fixtures.Recorder {
        @Override
        void work(RollbackEvent event) {
            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(100_000));
        }
    }

    @Test
    void eachListenerGetsEachEventOnce() throws Exception {
        try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
            List<Fixtures.Recorder> listeners = List.of(new Fixtures.Recorder(), new Fixtures.Recorder(),
                    new Fixtures.Recorder());
            listeners.forEach(notifier::register);
            for (long seq = 1; seq <= 50; seq++) {
                notifier.publish(event(seq));
            }
            await(notifier.delivered());
            for (Fixtures.Recorder r : listeners) {
                assertEquals(range(1, 50), r.sequences());
            }
        }
    }

    @Test
    void theSameListenerRegisteredTwiceGetsEachEventOncePerRegistration() throws Exception {
        try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
            Fixtures.Recorder listener = new Fixtures.Recorder();
            Registration first = notifier.register(listener);
            notifier.register(listener);
            assertEquals(2, notifier.listenerCount());
            notifier.publish(event(1));
            await(notifier.delivered());
            assertEquals(List.of(1L, 1L), listener.sequences());
            first.close();
            notifier.publish(event(2));
            await(notifier.delivered());
            assertEquals(List.of(1L, 1L, 2L), listener.sequences());
        }
    }

    /**
     * The group pattern: many threads publish under the group's lock with increasing sequences;
     * slow listeners on the default virtual-thread executor must each see every event once, in order,
     * one call at a time.
     */
    @Test
    void manyPublishersSlowListenersOnVirtualThreads() {
        assertTimeoutPreemptively(DEADLINE.multipliedBy(3), () -> {
            int publishers = 8;
            int perPublisher = 200;
            try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
                List<SlowRecorder> listeners = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    SlowRecorder r = new SlowRecorder();
                    listeners.add(r);
                    notifier.register(r);
                }
                ReentrantLock groupLock = new ReentrantLock();
                AtomicLong sequence = new AtomicLong();
                List<Thread> threads = new ArrayList<>();
                for (int p = 0; p < publishers; p++) {
                    threads.add(Thread.ofPlatform().start(() -> {
                        for (int i = 0; i < perPublisher; i++) {
                            groupLock.lock();
                            try {
                                notifier.publish(event(sequence.incrementAndGet()));
                            } finally {
                                groupLock.unlock();
                            }
                        }
                    }));
                }
                for (Thread t : threads) {
                    t.join();
                }
                await(notifier.delivered());
                long total = (long) publishers * perPublisher;
                for (SlowRecorder r : listeners) {
                    assertEquals(range(1, total), r.sequences(), "exactly once, in publish order");
                    assertEquals(1, r.maxInFlight.get(), "a listener's calls overlapped");
                    assertTrue(r.threads.stream().allMatch(Thread::isVirtual), "delivered off virtual threads");
                }
            }
        });
    }

    /**
     * Registrations come and go while many threads publish. A registration receives exactly the
     * events published from some point inside its register() call up to some point inside its
     * close() call: a contiguous run of sequences, nothing before, nothing after, no gap, no repeat.
     */
    @Test
    void registrationsComingAndGoingDuringConcurrentPublishing() {
        assertTimeoutPreemptively(DEADLINE.multipliedBy(3), () -> {
            record Window(Fixtures.Recorder listener, long beforeRegister, long afterRegister,
                          long beforeClose, long afterClose) {
            }
            int publishers = 4;
            int perPublisher = 300;
            long total = (long) publishers * perPublisher;
            try (RollbackNotifier notifier = RollbackNotifier.create("bank")) {
                ReentrantLock groupLock = new ReentrantLock();
                AtomicLong sequence = new AtomicLong();
                AtomicLong published = new AtomicLong(); // highest sequence whose publish() has returned
                List<Thread> threads = new ArrayList<>();
                for (int p = 0; p < publishers; p++) {
                    threads.add(Thread.ofPlatform().start(() -> {
                        for (int i = 0; i < perPublisher; i++) {
                            groupLock.lock();
                            try {
                                long seq = sequence.incrementAndGet();
                                notifier.publish(event(seq));
                                published.set(seq);
                            } finally {
                                groupLock.unlock();
                            }
                            if (i % 16 == 0) {
                                Thread.yield();
                            }
                        }
                    }));
                }
                ConcurrentLinkedQueue<Window> windows = new ConcurrentLinkedQueue<>();
                Thread registrar = Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 40; i++) {
                        SlowRecorder r = new SlowRecorder();
                        long p0 = published.get();
                        Registration reg = notifier.register(r);
                        long p1 = published.get();
                        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(500_000));
                        long c0 = Long.MAX_VALUE;
                        long c1 = Long.MAX_VALUE;
                        if (i % 2 == 0) { // half are closed while publishing goes on
                            c0 = published.get();
                            reg.close();
                            c1 = published.get();
                        }
                        windows.add(new Window(r, p0, p1, c0, c1));
                    }
                });
                for (Thread t : threads) {
                    t.join();
                }
                registrar.join();
                await(notifier.delivered());
                assertEquals(40, windows.size());
                for (Window w : windows) {
                    List<Long> got = w.listener().sequences();
                    String where = "window " + w + " got " + got;
                    // Published before register() was called: never received. Published after
                    // register() returned (from afterRegister + 2 on, see below): received.
                    long firstPossible = w.beforeRegister() + 1;
                    // Sequence afterRegister + 1 may have been mid-publish when register returned;
                    // afterRegister + 2 was published after it, so it is certainly received if open.
                    long firstCertain = w.afterRegister() + 2;
                    // Published after close() returned: never received (afterClose + 2 on, as above).
                    long lastPossible = Math.min(total, w.afterClose() == Long.MAX_VALUE ? total : w.afterClose() + 1);
                    long lastCertain = w.beforeClose() == Long.MAX_VALUE ? total : -1; // closing may drop any not started
                    if (got.isEmpty()) {
                        assertTrue(firstCertain > lastCertain, where);
                        continue;
                    }
                    long first = got.get(0);
                    long last = got.get(got.size() - 1);
                    assertEquals(range(first, last), got, "contiguous, in order, exactly once: " + where);
                    assertTrue(first >= firstPossible, "received an event published before register: " + where);
                    assertTrue(first <= firstCertain, "missed an event published after register: " + where);
                    assertTrue(last <= lastPossible, "received an event published after close: " + where);
                    if (lastCertain >= 0) {
                        assertEquals(total, last, "an open registration missed the last events: " + where);
                    }
                    assertEquals(1, w.listener().maxInFlight.get(), "a listener's calls overlapped: " + where);
                }
            }
        });
    }
}
