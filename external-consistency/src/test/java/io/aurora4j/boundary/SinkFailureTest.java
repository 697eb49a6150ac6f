package io.aurora4j.boundary;

import io.aurora4j.txn.Group;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A sink that fails is reported; its output is neither lost nor delivered twice. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SinkFailureTest {

    @Test
    void withoutRetriesAFailedOutputGoesToTheDeadLetterHandlerAndTheNextOneIsDelivered() throws Exception {
        try (Group g = Group.inMemory("dlq")) {
            List<String> got = new CopyOnWriteArrayList<>();
            List<DeadLetter<? extends String>> dead = new CopyOnWriteArrayList<>();
            Boundary<String> b = Boundary.<String>builder(g, "out")
                    .sink(Sink.of((String s) -> {
                        if (s.startsWith("bad")) {
                            throw new IllegalArgumentException("sink refuses " + s);
                        }
                        got.add(s);
                    }))
                    .deadLetterHandler(dead::add)
                    .open();
            b.send("good-1");
            b.send("bad-2");
            b.send("good-3");
            ExecutionException e = assertThrows(ExecutionException.class, () -> b.flush().get(10, TimeUnit.SECONDS));
            UndeliveredOutputsException u = assertInstanceOf(UndeliveredOutputsException.class, e.getCause());
            assertEquals(1, u.undelivered());
            assertTrue(u.getMessage().contains("boundary 'out' of group 'dlq'"), u.getMessage());
            assertEquals(List.of("good-1", "good-3"), got);
            assertEquals(1, dead.size());
            DeadLetter<? extends String> letter = dead.get(0);
            assertEquals("bad-2", letter.output());
            assertEquals("dlq", letter.group());
            assertEquals("out", letter.boundary());
            assertEquals(2, letter.sequence());
            assertEquals(1, letter.attempts());
            assertEquals("sink refuses bad-2", letter.cause().getMessage());
            assertEquals(new Boundary.Stats(0, 2, 0, 1, 0), b.stats());
            b.flush().get(10, TimeUnit.SECONDS); // a later flush covers later outputs only
        }
    }

    @Test
    void aRetriedOutputIsDeliveredOnceAndOrderIsKept() throws Exception {
        try (Group g = Group.inMemory("retry")) {
            List<String> got = new CopyOnWriteArrayList<>();
            AtomicInteger failuresLeft = new AtomicInteger(2);
            Boundary<String> b = Boundary.<String>builder(g, "out")
                    .sink(Sink.of((String s) -> {
                        if (s.equals("flaky") && failuresLeft.getAndDecrement() > 0) {
                            throw new IllegalStateException("transient");
                        }
                        got.add(s);
                    }))
                    .retry(RetryPolicy.attempts(3, Duration.ofMillis(5)))
                    .open();
            b.send("first");
            b.send("flaky");
            b.send("last");
            b.flush().get(10, TimeUnit.SECONDS);
            assertEquals(List.of("first", "flaky", "last"), got);
            assertEquals(new Boundary.Stats(0, 3, 0, 0, 2), b.stats());
        }
    }

    @Test
    void retriesThatRunOutDeadLetterWithEveryFailure() throws Exception {
        try (Group g = Group.inMemory("exhausted")) {
            List<DeadLetter<? extends String>> dead = new CopyOnWriteArrayList<>();
            AtomicInteger attempt = new AtomicInteger();
            Boundary<String> b = Boundary.<String>builder(g, "out")
                    .sink(Sink.of((String s) -> {
                        throw new IllegalStateException("attempt " + attempt.incrementAndGet());
                    }))
                    .retry(RetryPolicy.attempts(3, Duration.ZERO))
                    .deadLetterHandler(dead::add)
                    .open();
            b.send("x");
            assertThrows(ExecutionException.class, () -> b.flush().get(10, TimeUnit.SECONDS));
            assertEquals(1, dead.size());
            assertEquals(3, dead.get(0).attempts());
            assertEquals("attempt 3", dead.get(0).cause().getMessage());
            assertEquals(2, b.stats().retries());
        }
    }

    @Test
    void anAsyncSinkIsNotOverlappedAndItsFailuresAreDeadLettered() throws Exception {
        try (Group g = Group.inMemory("async")) {
            List<String> got = new CopyOnWriteArrayList<>();
            AtomicInteger inFlight = new AtomicInteger();
            AtomicInteger maxInFlight = new AtomicInteger();
            List<DeadLetter<? extends String>> dead = new CopyOnWriteArrayList<>();
            Boundary<String> b = Boundary.<String>builder(g, "out")
                    .sink(Sink.async((String s) -> {
                        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                        return CompletableFuture.runAsync(() -> {
                            try {
                                Thread.sleep(2);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            inFlight.decrementAndGet();
                            if (s.equals("rejected")) {
                                throw new IllegalStateException("peer said no");
                            }
                            got.add(s);
                        });
                    }))
                    .deadLetterHandler(dead::add)
                    .open();
            for (int i = 0; i < 20; i++) {
                b.send(i == 7 ? "rejected" : "m" + i);
            }
            assertThrows(ExecutionException.class, () -> b.flush().get(10, TimeUnit.SECONDS));
            assertEquals(19, got.size());
            for (int i = 0, j = 0; i < 20; i++) {
                if (i != 7) {
                    assertEquals("m" + i, got.get(j++));
                }
            }
            assertEquals(1, maxInFlight.get(), "one delivery at a time");
            assertEquals("rejected", dead.get(0).output());
            assertEquals("peer said no", dead.get(0).cause().getMessage());
        }
    }

    @Test
    void aThrowingDeadLetterHandlerDoesNotStopTheBoundary() throws Exception {
        try (Group g = Group.inMemory("handler")) {
            List<String> got = new CopyOnWriteArrayList<>();
            Boundary<String> b = Boundary.<String>builder(g, "out")
                    .sink(Sink.of((String s) -> {
                        if (s.equals("bad")) {
                            throw new IllegalStateException("no");
                        }
                        got.add(s);
                    }))
                    .deadLetterHandler(letter -> {
                        throw new IllegalStateException("handler broken");
                    })
                    .open();
            b.send("bad");
            b.send("fine");
            CompletableFuture<Void> f = b.flush();
            assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
            assertEquals(List.of("fine"), got);
            assertFalse(b.isClosed());
        }
    }
}
