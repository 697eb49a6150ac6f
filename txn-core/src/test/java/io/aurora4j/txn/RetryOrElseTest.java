package io.aurora4j.txn;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Blocking {@link Group#retry()} and {@link Group#orElse} (issue #13): what wakes a waiter, what does not, what it
 * sees when it re-runs, and how a wait ends without a change (timeout, close).
 */
class RetryOrElseTest {
    private static final long WAIT_SECONDS = 20;

    /** Runs {@code body} as a transaction on its own thread. */
    private static <R> CompletableFuture<R> inBackground(Group g, Supplier<R> body) {
        CompletableFuture<R> f = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                f.complete(g.atomic(body));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /** Waits until {@code n} transactions of {@code g} are registered as blocked in retry(). */
    private static void awaitWaiters(Group g, int n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (g.retryWaiters.waiters() != n) {
            assertTrue(System.nanoTime() < end, "no transaction blocked in retry() within " + WAIT_SECONDS + " s");
            Thread.sleep(1);
        }
    }

    private static <R> R result(CompletableFuture<R> f) throws Exception {
        return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletableFuture<?> f) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT_SECONDS, TimeUnit.SECONDS));
        return e.getCause();
    }

    @Test
    void retryWakesWhenAnObjectItReadIsWrittenAndReRunsTheBody() throws Exception {
        try (Group g = Group.inMemory("retry-wake")) {
            TLong items = g.newLong("items", 0);
            AtomicInteger runs = new AtomicInteger();
            CompletableFuture<Long> taken = inBackground(g, () -> {
                runs.incrementAndGet();
                long n = items.get();
                if (n == 0) {
                    g.retry();
                }
                items.set(n - 1);
                return n;
            });
            awaitWaiters(g, 1);
            items.set(3);
            assertEquals(3L, result(taken));
            assertEquals(2L, items.get());
            assertEquals(2, runs.get(), "one blocked run, one re-run after the write");
            assertEquals(0, g.retryWaiters.waiters());
        }
    }

    @Test
    void aWriteToAnObjectTheWaiterDidNotReadDoesNotReRunIt() throws Exception {
        try (Group g = Group.inMemory("retry-unrelated")) {
            TLong items = g.newLong("items", 0);
            TLong other = g.newLong("other", 0);
            AtomicInteger runs = new AtomicInteger();
            CompletableFuture<Long> taken = inBackground(g, () -> {
                runs.incrementAndGet();
                long n = items.get();
                if (n == 0) {
                    g.retry();
                }
                return n;
            });
            awaitWaiters(g, 1);
            for (int i = 1; i <= 20; i++) {
                other.set(i); // wakes the waiter (wake-ups are per group); it re-checks its reads and parks again
                Thread.sleep(2);
            }
            assertFalse(taken.isDone());
            assertEquals(1, runs.get(), "writes to an object the body did not read must not re-run it");
            assertEquals(1, g.retryWaiters.waiters());
            items.set(7);
            assertEquals(7L, result(taken));
            assertEquals(2, runs.get());
        }
    }

    @Test
    void orElseRunsTheSecondAlternativeWhenTheFirstRetriesAndDiscardsOnlyTheFirstsWrites() {
        try (Group g = Group.inMemory("orelse")) {
            TLong a = g.newLong("a", 0);
            TLong b = g.newLong("b", 0);
            TLong outer = g.newLong("outer", 0);
            String picked = g.atomic(() -> {
                outer.set(1);
                return g.orElse(() -> {
                    a.set(10);
                    outer.set(2);
                    g.retry();
                    return "first";
                }, () -> {
                    assertEquals(0L, a.get(), "the first alternative's write is undone before the second runs");
                    assertEquals(1L, outer.get(), "and so is its overwrite of the enclosing transaction's write");
                    b.set(20);
                    return "second";
                });
            });
            assertEquals("second", picked);
            assertEquals(0L, a.get());
            assertEquals(20L, b.get());
            assertEquals(1L, outer.get());
            // outside any transaction orElse is a transaction of its own; a first that does not retry wins
            assertEquals("first", g.orElse(() -> "first", () -> "second"));
        }
    }

    @Test
    void whenBothAlternativesRetryAWriteToWhatEitherReadWakesIt() throws Exception {
        for (int wake = 0; wake < 2; wake++) {
            try (Group g = Group.inMemory("orelse-both-" + wake)) {
                TLong left = g.newLong("left", 0);
                TLong right = g.newLong("right", 0);
                CompletableFuture<String> taken = inBackground(g, () -> g.orElse(() -> {
                    if (left.get() == 0) {
                        g.retry();
                    }
                    return "left";
                }, () -> {
                    if (right.get() == 0) {
                        g.retry();
                    }
                    return "right";
                }));
                awaitWaiters(g, 1);
                (wake == 0 ? left : right).set(1);
                assertEquals(wake == 0 ? "left" : "right", result(taken));
            }
        }
    }

    @Test
    void nestedOrElseFallsThroughToTheFirstAlternativeThatDoesNotRetry() {
        try (Group g = Group.inMemory("orelse-nested")) {
            TLong a = g.newLong("a", 0);
            TLong b = g.newLong("b", 0);
            TLong c = g.newLong("c", 0);
            String picked = g.orElse(() -> g.orElse(() -> {
                a.set(1);
                g.retry();
                return "a";
            }, () -> {
                b.set(1);
                a.get();
                g.retry();
                return "b";
            }), () -> {
                c.set(1);
                return "c";
            });
            assertEquals("c", picked);
            assertEquals(List.of(0L, 0L, 1L), List.of(a.get(), b.get(), c.get()));
            // an inner orElse whose second alternative succeeds keeps that alternative's writes
            String inner = g.orElse(() -> g.orElse(() -> {
                a.set(5);
                g.retry();
                return "a";
            }, () -> {
                b.set(5);
                return "b";
            }), () -> "c");
            assertEquals("b", inner);
            assertEquals(List.of(0L, 5L), List.of(a.get(), b.get()));
        }
    }

    @Test
    void aTimeoutEndsTheWaitWithAnExceptionNamingTheGroupAndWhatWasWaitedOn() {
        try (Group g = Group.inMemory("retry-timeout")) {
            TLong items = g.newLong("items", 0);
            TLong written = g.newLong("written", 0);
            RetryTimeoutException e = assertThrows(RetryTimeoutException.class, () -> g.atomic(Duration.ofMillis(50), () -> {
                written.set(1);
                if (items.get() == 0) {
                    g.retry();
                }
                return items.get();
            }));
            assertEquals("retry-timeout", e.group());
            assertEquals(Duration.ofMillis(50), e.timeout());
            assertEquals(List.of("TLong 'items'"), e.waitedOn());
            assertEquals("group 'retry-timeout': a transaction waited PT0.05S in retry() and nothing it read changed;"
                    + " it waited on [TLong 'items']", e.getMessage());
            assertEquals(0L, written.get(), "the timed-out attempt's writes are discarded");
            assertEquals(0, g.retryWaiters.waiters());
            // a zero timeout never blocks; a timeout that is not reached changes nothing
            assertThrows(RetryTimeoutException.class, () -> g.atomic(Duration.ZERO, () -> {
                if (items.get() == 0) {
                    g.retry();
                }
            }));
            items.set(1);
            assertEquals(1L, g.atomic(Duration.ofMillis(1), () -> items.get()));
            assertThrows(IllegalArgumentException.class, () -> g.atomic(Duration.ofMillis(-1), () -> 1));
            IllegalStateException nested = assertThrows(IllegalStateException.class,
                    () -> g.atomic(() -> g.atomic(Duration.ofSeconds(1), () -> 1)));
            assertTrue(nested.getMessage().contains("a timeout applies to a whole transaction"), nested.getMessage());
        }
    }

    @Test
    void aRollbackWakesTheWaiterWhichReRunsAgainstTheRestoredState() throws Exception {
        try (Group g = Group.inMemory("retry-rollback")) {
            TLong items = g.newLong("items", 5);
            TLong other = g.newLong("other", 0);
            Checkpoint cp = g.checkpoint("five items");
            items.set(0);
            other.set(1);
            CompletableFuture<Long> taken = inBackground(g, () -> {
                long n = items.get();
                if (n == 0) {
                    g.retry();
                }
                return n * 100 + other.get();
            });
            awaitWaiters(g, 1);
            g.rollback(cp);
            assertEquals(500L, result(taken), "the re-run sees items and other as at the checkpoint");
        }
    }

    @Test
    void aRollbackThatRestoresNothingTheWaiterReadStillWakesIt() throws Exception {
        try (Group g = Group.inMemory("retry-rollback-unrelated")) {
            TLong items = g.newLong("items", 0);
            TLong other = g.newLong("other", 0);
            Checkpoint cp = g.checkpoint();
            other.set(1);
            AtomicInteger runs = new AtomicInteger();
            CompletableFuture<Long> taken = inBackground(g, () -> {
                runs.incrementAndGet();
                if (items.get() == 0) {
                    g.retry();
                }
                return items.get();
            });
            awaitWaiters(g, 1);
            g.rollback(cp);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (runs.get() < 2) {
                assertTrue(System.nanoTime() < end, "the rollback did not re-run the waiter");
                Thread.sleep(1);
            }
            awaitWaiters(g, 1); // the re-run still finds no items and waits again
            items.set(4);
            assertEquals(4L, result(taken));
        }
    }

    @Test
    void closeWakesTheWaiterWithAnExceptionNamingTheGroup() throws Exception {
        Group g = Group.inMemory("retry-close");
        TLong items = g.newLong("items", 0);
        CompletableFuture<Long> taken = inBackground(g, () -> {
            if (items.get() == 0) {
                g.retry();
            }
            return items.get();
        });
        awaitWaiters(g, 1);
        g.close();
        Throwable e = failure(taken);
        assertInstanceOf(IllegalStateException.class, e);
        assertEquals("group 'retry-close' was closed while a transaction waited in retry() on [TLong 'items']", e.getMessage());
        assertEquals(0, g.retryWaiters.waiters());
    }

    @Test
    void retryOutsideATransactionOfItsGroupOrWithNothingReadIsAnIllegalStateException() {
        try (Group g = Group.inMemory("retry-misuse"); Group h = Group.inMemory("other-group")) {
            TLong x = g.newLong("x", 0);
            IllegalStateException outside = assertThrows(IllegalStateException.class, g::retry);
            assertEquals("retry() needs a running transaction of group 'retry-misuse' on this thread: it blocks that"
                    + " transaction until something it read changes", outside.getMessage());
            IllegalStateException foreign = assertThrows(IllegalStateException.class, () -> h.atomic(() -> g.retry()));
            assertTrue(foreign.getMessage().endsWith("(a transaction of group 'other-group' is running)"), foreign.getMessage());
            IllegalStateException nothingRead = assertThrows(IllegalStateException.class, () -> g.atomic(() -> {
                x.set(1);
                g.retry();
            }));
            assertEquals("retry() in a transaction of group 'retry-misuse' that has read nothing: no change could ever"
                    + " wake it", nothingRead.getMessage());
            assertEquals(0L, x.get());
        }
    }

    @Test
    void retryWithNothingReadFailsEvenAfterTheThreadRanARegionTransaction() {
        try (Group g = Group.inMemory("retry-after-region")) {
            Region r = g.newRegion("r", 4096);
            TLong x = g.newLong("x", 0);
            g.atomic(() -> r.putLong(0, r.getLong(0) + 1)); // this thread's descriptor now keeps region read/write sets
            // the timeout only keeps a regression from hanging: the old code parked here (nothing could wake it)
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.atomic(Duration.ofSeconds(5), () -> {
                x.set(1);
                g.retry();
            }));
            assertEquals("retry() in a transaction of group 'retry-after-region' that has read nothing: no change could"
                    + " ever wake it", e.getMessage());
        }
    }

    @Test
    void aWaiterOnAMissingMapKeyWakesWhenTheKeyIsPut() throws Exception {
        try (Group g = Group.inMemory("retry-map")) {
            TMap<String, Integer> m = g.newMap("m");
            CompletableFuture<Integer> got = inBackground(g, () -> {
                Integer v = m.get("k");
                if (v == null) {
                    g.retry();
                }
                return v;
            });
            awaitWaiters(g, 1);
            m.put("k", 9);
            assertEquals(9, result(got));
        }
    }

    @Test
    void aBoundedBufferHandsOffEveryItemExactlyOnce() throws Exception {
        try (Group g = Group.inMemory("retry-buffer")) {
            int capacity = 4;
            int items = 2_000;
            TLong head = g.newLong("head", 0);
            TLong tail = g.newLong("tail", 0);
            TLong[] slots = new TLong[capacity];
            for (int i = 0; i < capacity; i++) {
                slots[i] = g.newLong("slot" + i, 0);
            }
            CompletableFuture<Long> consumer = CompletableFuture.supplyAsync(() -> {
                long sum = 0;
                for (int i = 0; i < items; i++) {
                    sum += g.atomic(() -> {
                        long h = head.get();
                        if (h == tail.get()) {
                            g.retry();
                        }
                        head.set(h + 1);
                        return slots[(int) (h % capacity)].get();
                    });
                }
                return sum;
            }, r -> Thread.ofPlatform().daemon().start(r));
            for (int i = 1; i <= items; i++) {
                long v = i;
                g.atomic(() -> {
                    long t = tail.get();
                    if (t - head.get() == capacity) {
                        g.retry();
                    }
                    slots[(int) (t % capacity)].set(v);
                    tail.set(t + 1);
                });
            }
            assertEquals((long) items * (items + 1) / 2, consumer.get(60, TimeUnit.SECONDS));
        }
    }
}
