package io.aurora4j.speculation;

import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.RetryConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Speculative calls: exactly one of confirmed / rolled back with the fallback / conservative; adaptive speculation. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SpeculativeCallTest {

    @Test
    void aMatchingReplyConfirmsAndTheFallbackNeverRuns() throws Exception {
        try (Group g = Group.inMemory("call-ok")) {
            CompletableFuture<String> reply = new CompletableFuture<>();
            AtomicInteger fallbacks = new AtomicInteger();
            SpeculativeCall<String> c = Speculative.call(g, () -> reply, "seat-1", () -> {
                fallbacks.incrementAndGet();
                return "seat-2";
            });
            assertEquals("seat-1", c.value(), "the prediction, at once");
            reply.complete("seat-1");
            SpeculativeCall.Outcome<String> o = c.outcome().get(10, TimeUnit.SECONDS);
            assertEquals(SpeculativeCall.Outcome.Kind.CONFIRMED, o.kind());
            assertEquals("seat-1", o.value());
            assertNull(o.cause());
            assertEquals(0, fallbacks.get());
            assertEquals(Speculation.State.CONFIRMED, c.speculation().orElseThrow().state());
        }
    }

    @Test
    void aWrongReplyRollsBackWhatWasDoneOnThePredictionAndRunsTheFallback() throws Exception {
        try (Group g = Group.inMemory("call-wrong")) {
            TLong seat = g.newLong("seat", 0);
            CompletableFuture<String> reply = new CompletableFuture<>();
            SpeculativeCall<String> c = Speculative.call(g, () -> reply, "seat-1", () -> "seat-2");
            c.speculation().orElseThrow().atomic(() -> seat.set(1));
            reply.complete("taken");
            SpeculativeCall.Outcome<String> o = c.outcome().get(10, TimeUnit.SECONDS);
            assertEquals(SpeculativeCall.Outcome.Kind.ROLLED_BACK, o.kind());
            assertEquals("seat-2", o.value());
            assertEquals("taken", assertInstanceOf(MispredictionException.class, o.cause()).actual());
            assertEquals(0, seat.get());
        }
    }

    @Test
    void aCallThatThrowsAtOnceFailsTheSpeculation() throws Exception {
        try (Group g = Group.inMemory("call-throws")) {
            SpeculativeCall<String> c = Speculative.call(g, () -> { throw new IllegalStateException("no connection"); }, "p", () -> "f");
            SpeculativeCall.Outcome<String> o = c.outcome().get(10, TimeUnit.SECONDS);
            assertEquals(SpeculativeCall.Outcome.Kind.ROLLED_BACK, o.kind());
            assertEquals("f", o.value());
            assertEquals("no connection", o.cause().getMessage());
        }
    }

    @Test
    void theBreakerOpensOnMispredictionsGoesConservativeAndProbesAgainLater() throws Exception {
        try (Group g = Group.inMemory("adaptive")) {
            Speculative spec = Speculative.builder(g)
                    .circuitBreaker(CircuitBreakerConfig.custom()
                            .slidingWindowSize(4).minimumNumberOfCalls(4).failureRateThreshold(50)
                            .waitDurationInOpenState(Duration.ofMillis(50)).permittedNumberOfCallsInHalfOpenState(1)
                            .build())
                    .build();
            assertEquals(CircuitBreaker.State.CLOSED, spec.breakerState().orElseThrow());
            for (int i = 0; i < 4; i++) {
                SpeculativeCall<String> c = spec.call(() -> CompletableFuture.completedFuture("actual"), "predicted", () -> "fallback");
                assertEquals(SpeculativeCall.Outcome.Kind.ROLLED_BACK, c.outcome().get(10, TimeUnit.SECONDS).kind());
            }
            assertEquals(CircuitBreaker.State.OPEN, spec.breakerState().orElseThrow());
            long rollbacks = g.stats().rollbacks();
            SpeculativeCall<String> conservative = spec.call(() -> CompletableFuture.completedFuture("actual"), "predicted", () -> "fallback");
            assertEquals("fallback", conservative.value(), "no speculation while open: the fallback's value at once");
            assertTrue(conservative.speculation().isEmpty());
            assertEquals(SpeculativeCall.Outcome.Kind.CONSERVATIVE, conservative.outcome().get(10, TimeUnit.SECONDS).kind());
            assertEquals(rollbacks, g.stats().rollbacks());
            // After the wait the breaker lets a probe speculate; a confirmed probe closes it.
            SpeculativeCall<String> probe;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            do {
                Thread.sleep(10);
                probe = spec.call(() -> CompletableFuture.completedFuture("predicted"), "predicted", () -> "fallback");
            } while (probe.speculation().isEmpty() && System.nanoTime() < deadline);
            assertTrue(probe.speculation().isPresent(), "the breaker probes again");
            assertEquals(SpeculativeCall.Outcome.Kind.CONFIRMED, probe.outcome().get(10, TimeUnit.SECONDS).kind());
            assertEquals(CircuitBreaker.State.CLOSED, spec.breakerState().orElseThrow());
        }
    }

    @Test
    void theTimeLimiterTurnsAMissingReplyIntoAFailureAndTheRetryWrapsTheFallback() throws Exception {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().factory());
        try (Group g = Group.inMemory("limited")) {
            AtomicInteger attempts = new AtomicInteger();
            Speculative spec = Speculative.builder(g)
                    .timeLimit(Duration.ofMillis(20), scheduler)
                    .retry(RetryConfig.custom().maxAttempts(3).waitDuration(Duration.ofMillis(1)).build())
                    .build();
            SpeculativeCall<String> c = spec.call(CompletableFuture::new, "p", () -> {
                if (attempts.incrementAndGet() < 3) {
                    throw new IllegalStateException("flaky");
                }
                return "conservative";
            });
            SpeculativeCall.Outcome<String> o = c.outcome().get(10, TimeUnit.SECONDS);
            assertEquals(SpeculativeCall.Outcome.Kind.ROLLED_BACK, o.kind());
            assertInstanceOf(TimeoutException.class, o.cause());
            assertEquals("conservative", o.value());
            assertEquals(3, attempts.get());
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void builderSettingsAreSetOnce() {
        try (Group g = Group.inMemory("builder")) {
            Speculative.Builder b = Speculative.builder(g).retry(RetryConfig.ofDefaults());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.retry(RetryConfig.ofDefaults()));
            assertTrue(e.getMessage().startsWith("retry was already set"), e.getMessage());
        }
    }

    @Test
    void aBreakerFromTheApplicationsRegistryRecordsTheSpeculationsOutcomes() throws Exception {
        io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry registry =
                io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry.ofDefaults();
        CircuitBreaker breaker = registry.circuitBreaker("quotes");
        try (Group g = Group.inMemory("call-registry")) {
            Speculative s = Speculative.builder(g).circuitBreaker(breaker).build();
            assertTrue(s.circuitBreaker().orElseThrow() == breaker);
            CompletableFuture<String> right = new CompletableFuture<>();
            SpeculativeCall<String> ok = s.call(() -> right, "a", () -> "b");
            right.complete("a");
            ok.outcome().get(10, TimeUnit.SECONDS);
            CompletableFuture<String> wrong = new CompletableFuture<>();
            SpeculativeCall<String> bad = s.call(() -> wrong, "a", () -> "b");
            wrong.complete("z");
            bad.outcome().get(10, TimeUnit.SECONDS);
            CircuitBreaker.Metrics m = registry.circuitBreaker("quotes").getMetrics();
            assertEquals(1, m.getNumberOfSuccessfulCalls());
            assertEquals(1, m.getNumberOfFailedCalls());
            assertThrows(IllegalStateException.class,
                    () -> Speculative.builder(g).circuitBreaker(breaker).circuitBreaker(CircuitBreakerConfig.ofDefaults()));
        }
    }
}
