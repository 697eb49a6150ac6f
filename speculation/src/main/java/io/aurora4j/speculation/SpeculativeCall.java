package io.aurora4j.speculation;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One speculative call made by {@link Speculative#call}: the value to go on with at once, the speculation
 * it opened (none if the call went the conservative way), and how it settled.
 *
 * <p>Exactly one of these happens, and {@link #outcome()} says which: the prediction is confirmed
 * ({@link Outcome.Kind#CONFIRMED}); or the group is rolled back to before the call and the fallback runs
 * ({@link Outcome.Kind#ROLLED_BACK}, with the fallback's value — the future fails with the fallback's
 * exception if the fallback, after its retries, threw); or, when the circuit breaker did not permit
 * speculating, the fallback ran at once and {@link #value()} is its result
 * ({@link Outcome.Kind#CONSERVATIVE}).
 *
 * <p>Thread-safe (immutable; the future is completed once by the library).
 */
public final class SpeculativeCall<T> {
    private final T value;
    private final Speculation speculation;
    private final CompletableFuture<Outcome<T>> outcome;

    SpeculativeCall(T value, Speculation speculation, CompletableFuture<Outcome<T>> outcome) {
        this.value = value;
        this.speculation = speculation;
        this.outcome = outcome;
    }

    /** The predicted reply (when speculating), or the fallback's result (when the call went conservatively). */
    public T value() {
        return value;
    }

    /** The speculation opened for the call; empty when the call went the conservative way. */
    public Optional<Speculation> speculation() {
        return Optional.ofNullable(speculation);
    }

    /** Completes once the call has settled (for {@code ROLLED_BACK}: after the fallback ran). A copy each call. */
    public CompletableFuture<Outcome<T>> outcome() {
        return outcome.copy();
    }

    /**
     * How a speculative call settled. Immutable.
     *
     * @param kind  which of the three things happened
     * @param value the value that holds: the prediction when {@code CONFIRMED}, the fallback's result otherwise
     * @param cause why the speculation was rolled back ({@code null} unless {@code ROLLED_BACK})
     */
    public record Outcome<T>(Kind kind, T value, Throwable cause) {
        /** Which way a speculative call settled. */
        public enum Kind {
            /** The reply matched the prediction. */
            CONFIRMED,
            /** The reply differed, failed or did not come in time: the group rolled back and the fallback ran. */
            ROLLED_BACK,
            /** The breaker did not permit speculating: the fallback ran at once, nothing was rolled back. */
            CONSERVATIVE
        }
    }
}
