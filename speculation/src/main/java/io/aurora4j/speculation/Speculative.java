package io.aurora4j.speculation;

import io.aurora4j.txn.Group;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiPredicate;
import java.util.function.Supplier;

/**
 * Speculative calls: given an asynchronous call, a predicted reply and a conservative fallback, return the
 * predicted value at once and settle in the background.
 *
 * <pre>{@code
 * SpeculativeCall<String> c = Speculative.call(group, () -> client.getAsync(k), predicted, () -> client.get(k));
 * String v = c.value();              // the prediction, at once; go on with it through c.speculation()
 * c.outcome().thenAccept(o -> ...);  // CONFIRMED, or ROLLED_BACK with the fallback's value
 * }</pre>
 *
 * <h2>Adaptive speculation</h2>
 * A {@code Speculative} built with {@link #builder(Group)} can wrap each call in Resilience4j:
 * <ul>
 *   <li>a <b>circuit breaker over the misprediction rate</b>: a confirmed prediction is a success, a
 *       misprediction, a failed call or a missed deadline is an error. When the breaker is open (the
 *       failure rate crossed its threshold) calls do not speculate: the fallback runs at once
 *       ({@link SpeculativeCall.Outcome.Kind#CONSERVATIVE}); after the configured wait it is half-open and
 *       lets a few calls speculate again as probes. {@link #breakerState()} shows where it is;</li>
 *   <li>a <b>time limiter</b>: a reply that has not arrived within the limit fails the speculation with a
 *       {@link TimeoutException} (the call's future is cancelled if the config says so);</li>
 *   <li>a <b>retry</b> around the conservative path (the fallback).</li>
 * </ul>
 * The breaker is told of each speculation exactly once, from the thread that completes the call, before
 * the speculation is confirmed or failed.
 *
 * <p>Thread-safe. The builder is not (one thread builds).
 */
public final class Speculative {
    private final Group group;
    private final CircuitBreaker breaker;
    private final TimeLimiter timeLimiter;
    private final ScheduledExecutorService scheduler;
    private final Retry retry;
    private final BiPredicate<Object, Object> matches;

    private Speculative(Builder b) {
        this.group = b.group;
        this.breaker = b.breaker != null ? b.breaker
                : b.breakerConfig == null ? null : CircuitBreaker.of("speculation-" + b.group.name(), b.breakerConfig);
        this.timeLimiter = b.timeLimiterConfig == null ? null : TimeLimiter.of("speculation-" + b.group.name(), b.timeLimiterConfig);
        this.scheduler = b.scheduler;
        this.retry = b.retryConfig == null ? null : Retry.of("speculation-fallback-" + b.group.name(), b.retryConfig);
        this.matches = b.matches;
    }

    /** A builder for speculative calls on {@code group}; with nothing set, it speculates on every call. */
    public static Builder builder(Group group) {
        return new Builder(Objects.requireNonNull(group, "group"));
    }

    /**
     * A speculative call with no breaker, time limiter or retry: {@code builder(group).build().call(...)}.
     */
    public static <T> SpeculativeCall<T> call(Group group, Supplier<? extends CompletionStage<T>> call, T predicted,
                                              Callable<? extends T> fallback) {
        return builder(group).build().call(call, predicted, fallback);
    }

    /** The circuit breaker's state, if one is configured. */
    public Optional<CircuitBreaker.State> breakerState() {
        return breaker == null ? Optional.empty() : Optional.of(breaker.getState());
    }

    /** The circuit breaker itself (metrics, manual transitions, events), if one is configured. */
    public Optional<CircuitBreaker> circuitBreaker() {
        return Optional.ofNullable(breaker);
    }

    /**
     * Calls {@code call} and returns at once with {@code predicted} and a new {@link Speculation} (or, if the
     * breaker does not permit speculating, runs {@code fallback} at once and returns its result). When the
     * reply arrives it is compared with the prediction ({@link Objects#equals} unless the builder set
     * another test): a match confirms the speculation; a mismatch, a failed call, an exception thrown by
     * {@code call} itself or a missed deadline fails it — the group rolls back to before the call, and
     * {@code fallback} runs (with the retry) as its rollback handler.
     *
     * @throws IllegalStateException as {@link Speculation#begin}
     * @throws RuntimeException      what the fallback threw, on the conservative path (checked exceptions
     *                               wrapped in {@link java.util.concurrent.CompletionException})
     */
    public <T> SpeculativeCall<T> call(Supplier<? extends CompletionStage<T>> call, T predicted, Callable<? extends T> fallback) {
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(fallback, "fallback");
        if (breaker != null && !breaker.tryAcquirePermission()) {
            T v = runFallback(fallback);
            return new SpeculativeCall<>(v, null, CompletableFuture.completedFuture(
                    new SpeculativeCall.Outcome<>(SpeculativeCall.Outcome.Kind.CONSERVATIVE, v, null)));
        }
        Speculation s;
        try {
            s = Speculation.begin(group);
        } catch (RuntimeException e) {
            if (breaker != null) {
                breaker.releasePermission();
            }
            throw e;
        }
        CompletableFuture<SpeculativeCall.Outcome<T>> out = new CompletableFuture<>();
        s.onRollback(r -> {
            try {
                out.complete(new SpeculativeCall.Outcome<>(SpeculativeCall.Outcome.Kind.ROLLED_BACK, runFallback(fallback), r.cause()));
            } catch (Throwable e) {
                out.completeExceptionally(e);
            }
        });
        s.outcome().thenAccept(state -> {
            if (state == Speculation.State.CONFIRMED) {
                out.complete(new SpeculativeCall.Outcome<>(SpeculativeCall.Outcome.Kind.CONFIRMED, predicted, null));
            }
        });
        long started = System.nanoTime();
        CompletionStage<T> stage;
        try {
            stage = timeLimiter == null ? call.get() : timeLimiter.executeCompletionStage(scheduler, call);
            Objects.requireNonNull(stage, "the call returned a null stage");
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((reply, error) -> {
            Throwable cause;
            if (error != null) {
                cause = Speculation.unwrap(error);
                if (cause instanceof TimeoutException) {
                    cause = new TimeoutException("no reply within the time limit for speculation #" + s.id()
                            + " of group '" + group.name() + "'");
                }
            } else {
                boolean ok;
                try {
                    ok = matches.test(reply, predicted);
                } catch (RuntimeException e) {
                    ok = false;
                }
                cause = ok ? null : MispredictionException.of(s, reply);
            }
            if (breaker != null) {
                long took = System.nanoTime() - started;
                if (cause == null) {
                    breaker.onSuccess(took, TimeUnit.NANOSECONDS);
                } else {
                    breaker.onError(took, TimeUnit.NANOSECONDS, cause);
                }
            }
            if (cause == null) {
                s.confirm();
            } else {
                try {
                    s.fail(cause);
                } catch (RuntimeException e) {
                    out.completeExceptionally(e); // the group was closed: nothing to roll back to
                }
            }
        });
        return new SpeculativeCall<>(predicted, s, out);
    }

    private <T> T runFallback(Callable<? extends T> fallback) {
        try {
            return retry == null ? fallback.call() : retry.executeCallable(fallback);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new java.util.concurrent.CompletionException(e);
        }
    }

    /**
     * Configures a {@link Speculative}. Each setting may be given once (a second call fails naming the first
     * value); defaults are filled in by {@link #build()}. Not thread-safe.
     */
    public static final class Builder {
        private final Group group;
        private CircuitBreakerConfig breakerConfig;
        private CircuitBreaker breaker;
        private TimeLimiterConfig timeLimiterConfig;
        private ScheduledExecutorService scheduler;
        private RetryConfig retryConfig;
        private BiPredicate<Object, Object> matches;

        private Builder(Group group) {
            this.group = group;
        }

        private static void requireUnset(Object current, String what) {
            if (current != null) {
                throw new IllegalStateException(what + " was already set to " + current);
            }
        }

        /**
         * Adaptive speculation: a circuit breaker over the misprediction rate (see the class javadoc).
         * For example {@code CircuitBreakerConfig.custom().failureRateThreshold(50).slidingWindowSize(20)
         * .minimumNumberOfCalls(10).waitDurationInOpenState(Duration.ofSeconds(1)).build()}.
         */
        public Builder circuitBreaker(CircuitBreakerConfig config) {
            requireUnset(breakerConfig != null ? breakerConfig : breaker, "circuitBreaker");
            breakerConfig = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Adaptive speculation with a breaker the application made, typically from its own
         * {@code CircuitBreakerRegistry} ({@code registry.circuitBreaker("quotes")}), so the registry's event
         * consumers and metrics bindings (Resilience4j's {@code TaggedCircuitBreakerMetrics} for Micrometer) see it.
         * Speculation records every confirmed call as a success and every misprediction or failed call as an
         * error in it; the breaker may be shared with other users, who then share its decisions.
         */
        public Builder circuitBreaker(CircuitBreaker breaker) {
            requireUnset(breakerConfig != null ? breakerConfig : this.breaker, "circuitBreaker");
            this.breaker = Objects.requireNonNull(breaker, "breaker");
            return this;
        }

        /** A deadline on the reply, through a Resilience4j time limiter, scheduled on {@code scheduler}. */
        public Builder timeLimiter(TimeLimiterConfig config, ScheduledExecutorService scheduler) {
            requireUnset(timeLimiterConfig, "timeLimiter");
            timeLimiterConfig = Objects.requireNonNull(config, "config");
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** Shorthand for a time limiter of {@code limit} that cancels the call's future. */
        public Builder timeLimit(Duration limit, ScheduledExecutorService scheduler) {
            return timeLimiter(TimeLimiterConfig.custom().timeoutDuration(limit).cancelRunningFuture(true).build(), scheduler);
        }

        /** A retry around the conservative path (the fallback). */
        public Builder retry(RetryConfig config) {
            requireUnset(retryConfig, "retry");
            retryConfig = Objects.requireNonNull(config, "config");
            return this;
        }

        /** How a reply is compared with the prediction: {@code (reply, predicted) -> ...}; default {@link Objects#equals}. */
        public Builder matches(BiPredicate<Object, Object> test) {
            requireUnset(matches, "matches");
            matches = Objects.requireNonNull(test, "test");
            return this;
        }

        /** Builds; the builder may not be used again. */
        public Speculative build() {
            if (matches == null) {
                matches = Objects::equals;
            }
            return new Speculative(this);
        }
    }
}
