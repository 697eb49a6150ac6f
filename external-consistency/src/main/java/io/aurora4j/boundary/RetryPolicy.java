package io.aurora4j.boundary;

import java.time.Duration;
import java.util.Objects;

/**
 * How many times a boundary tries to deliver an output whose sink failed, and how long it waits between
 * tries. Every failed try is counted ({@link Boundary.Stats#retries()}); after the last one the output goes
 * to the boundary's {@link DeadLetterHandler} with every failure. While an output is being retried, the
 * outputs after it wait: order is kept. An output is never delivered twice by the boundary, but a sink that
 * failed after performing part of its effect (a half-written frame, a request the peer did receive) will
 * see the output again on a retry: retry only sinks whose delivery is idempotent, which is why the default
 * is {@link #none()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class RetryPolicy {
    private static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO);

    private final int maxAttempts;
    private final Duration backoff;

    private RetryPolicy(int maxAttempts, Duration backoff) {
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
    }

    /** One attempt: a failed output goes to the dead-letter handler at once. The default. */
    public static RetryPolicy none() {
        return NONE;
    }

    /**
     * Up to {@code maxAttempts} attempts in all, {@code backoff} apart.
     *
     * @throws IllegalArgumentException if {@code maxAttempts < 1} or {@code backoff} is negative
     */
    public static RetryPolicy attempts(int maxAttempts, Duration backoff) {
        Objects.requireNonNull(backoff, "backoff");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        if (backoff.isNegative()) {
            throw new IllegalArgumentException("backoff must not be negative, was " + backoff);
        }
        return new RetryPolicy(maxAttempts, backoff);
    }

    /** Attempts in all, the first included. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The wait between two attempts. */
    public Duration backoff() {
        return backoff;
    }

    @Override
    public String toString() {
        return maxAttempts == 1 ? "RetryPolicy.none()" : "RetryPolicy.attempts(" + maxAttempts + ", " + backoff + ")";
    }
}
