package io.aurora4j.txn;

import io.aurora4j.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Group.metrics(): each transaction outcome counted under its cause, and the rare paths with their latencies. */
@Timeout(60)
class GroupMetricsTest {
    @TempDir
    Path dir;

    @Test
    void commitsExceptionsAndSingleOperationsAreCounted() {
        try (Group g = Group.builder("m1").jmx(false).open()) {
            TLong x = g.newLong("x", 0);
            for (int i = 0; i < 10; i++) {
                g.atomic(() -> x.set(x.get() + 1));
            }
            x.set(5); // a single operation outside any scope is its own transaction
            x.get();  // a read outside any scope is not a transaction
            assertThrows(IllegalStateException.class, () -> g.atomic(() -> {
                x.set(7);
                throw new IllegalStateException("boom");
            }));
            GroupMetrics m = g.metrics();
            assertEquals("m1", m.group());
            assertEquals(11, m.commits());
            assertEquals(1, m.exceptionAborts());
            assertEquals(0, m.conflictAborts());
            assertEquals(0, m.retries());
            assertEquals(1, m.objects());
            assertEquals(0, m.durableLag(), "an in-memory group has no durable lag");
        }
    }

    @Test
    void aConflictIsCountedAsAConflictAndItsReRunAsARetry() throws Exception {
        try (Group g = Group.builder("m2").jmx(false).open()) {
            TLong x = g.newLong("x", 0);
            CountDownLatch read = new CountDownLatch(1);
            CountDownLatch written = new CountDownLatch(1);
            AtomicInteger attempts = new AtomicInteger();
            Thread t = Thread.ofPlatform().start(() -> g.atomic(() -> {
                long v = x.get();
                if (attempts.incrementAndGet() == 1) {
                    read.countDown();
                    await(written);
                }
                x.set(v + 1);
            }));
            assertTrue(read.await(10, TimeUnit.SECONDS));
            x.set(100); // commits between the other's read and its commit: it must abort and re-run
            written.countDown();
            t.join();
            assertEquals(101, x.get());
            GroupMetrics m = g.metrics();
            assertEquals(2, m.commits());
            assertEquals(1, m.conflictAborts());
            assertEquals(1, m.retries());
            assertEquals(0, m.rollbackAborts());
        }
    }

    @Test
    void anAttemptAbortedByARollbackIsCountedAsARollbackAbort() throws Exception {
        try (Group g = Group.builder("m3").jmx(false).open()) {
            TLong x = g.newLong("x", 1);
            Checkpoint cp = g.checkpoint();
            CountDownLatch read = new CountDownLatch(1);
            CountDownLatch rolledBack = new CountDownLatch(1);
            AtomicInteger attempts = new AtomicInteger();
            Thread t = Thread.ofPlatform().start(() -> g.atomic(() -> {
                long v = x.get();
                if (attempts.incrementAndGet() == 1) {
                    read.countDown();
                    await(rolledBack);
                }
                x.set(v + 1);
            }));
            assertTrue(read.await(10, TimeUnit.SECONDS));
            g.rollback(cp);
            rolledBack.countDown();
            t.join();
            GroupMetrics m = g.metrics();
            assertEquals(1, m.rollbackAborts());
            assertEquals(0, m.conflictAborts());
            assertEquals(1, m.rollbacks());
            assertTrue(m.rollbackMaxNanos() > 0);
        }
    }

    @Test
    void givingUpIsCounted() {
        try (Group g = Group.builder("m4").maxRetries(3).jmx(false).open()) {
            TLong x = g.newLong("x", 0);
            // The body writes x from another thread between its read and its commit, every attempt.
            assertThrows(TransactionConflictException.class, () -> g.atomic(() -> {
                long v = x.get();
                Thread w = Thread.ofPlatform().start(() -> x.set(x.get() + 1000));
                join(w);
                x.set(v + 1);
            }));
            GroupMetrics m = g.metrics();
            assertEquals(1, m.gaveUp());
            assertEquals(3, m.conflictAborts());
            assertEquals(2, m.retries());
            assertEquals(3, m.commits(), "the three writers' single operations");
        }
    }

    @Test
    void checkpointsFlushesAndDurableLagOfADurableGroup() throws Exception {
        try (Group g = Group.builder("m5").jmx(false).store(Store.directory(dir)).checkpointEvery(Duration.ZERO).open()) {
            TLong x = g.newLong("x", 0);
            long before = g.metrics().checkpoints();
            g.atomic(() -> x.set(1));
            g.checkpoint();
            g.atomic(() -> x.set(2));
            g.checkpoint();
            GroupMetrics lagging = g.metrics();
            assertEquals(before + 2, lagging.checkpoints());
            assertTrue(lagging.durableLag() >= 2, "two checkpoints not flushed yet: " + lagging);
            g.barrier().get(10, TimeUnit.SECONDS);
            GroupMetrics m = g.metrics();
            assertEquals(0, m.durableLag());
            assertTrue(m.flushes() >= 1, m.toString());
            assertTrue(m.flushBytes() > 0, m.toString());
            assertTrue(m.fullFlushes() >= 1, "the first flush writes the whole state: " + m);
            assertTrue(m.checkpointMeanNanos() > 0 && m.flushMeanNanos() > 0, m.toString());
        }
    }

    @Test
    void cellsOfEndedThreadsAreFoldedSoCountsStayAndCellsStayBounded() throws Exception {
        try (Group g = Group.builder("m6").jmx(false).open()) {
            TLong x = g.newLong("x", 0);
            for (int i = 0; i < 500; i++) {
                Thread t = Thread.ofVirtual().start(() -> g.atomic(() -> x.set(x.get() + 1)));
                t.join();
            }
            assertEquals(500, g.metrics().commits(), "a folded thread's commits still count");
            assertTrue(g.counters.cellCount() <= 130, "cells: " + g.counters.cellCount());
        }
    }

    @Test
    void countsReadWhileThreadsCommitNeverGoBackwardsAndAreExactOnceQuiet() throws Exception {
        try (Group g = Group.builder("m7").jmx(false).open()) {
            int threads = 4;
            int each = 20_000;
            TLong[] xs = new TLong[threads];
            for (int i = 0; i < threads; i++) {
                xs[i] = g.newLong("x" + i, 0);
            }
            Thread[] ts = new Thread[threads];
            for (int i = 0; i < threads; i++) {
                TLong x = xs[i];
                ts[i] = Thread.ofPlatform().start(() -> {
                    for (int n = 0; n < each; n++) {
                        g.atomic(() -> x.set(x.get() + 1));
                    }
                });
            }
            long last = 0;
            boolean running = true;
            while (running) {
                running = false;
                for (Thread t : ts) {
                    running |= t.isAlive();
                }
                long now = g.metrics().commits();
                assertTrue(now >= last, "commits went backwards: " + last + " then " + now);
                last = now;
            }
            for (Thread t : ts) {
                t.join();
            }
            assertEquals((long) threads * each, g.metrics().commits());
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("latch timed out");
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
