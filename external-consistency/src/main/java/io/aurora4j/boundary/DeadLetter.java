package io.aurora4j.boundary;

import java.util.List;
import java.util.Objects;

/**
 * An output a boundary could not deliver: its sink failed on every attempt its {@link RetryPolicy}
 * allowed, or, in a durable group, the group's store failed before the checkpoint containing the output's
 * work became durable, so it can never be released. In that second case the sink was never called and
 * {@link #failures()} holds exactly one {@link io.aurora4j.store.StoreFailedException}: the work may be
 * visible in the group's memory but would not survive a crash, so tell the recipient the outcome is unknown
 * rather than deliver the output. Handed to the boundary's {@link DeadLetterHandler}, which now owns the
 * output: the boundary will not try it again.
 *
 * @param group     the name of the boundary's group
 * @param boundary  the boundary's id
 * @param output    the output
 * @param sequence  its position among the outputs this boundary released (or gave up on), from 1
 * @param failures  the failure of every attempt, oldest first (never empty); for an output never released
 *                  because the store failed, that failure alone
 * @param <T>       the type of the outputs
 */
public record DeadLetter<T>(String group, String boundary, T output, long sequence, List<Throwable> failures) {

    /**
     * Checks the components and keeps an unmodifiable copy of {@code failures}.
     *
     * @throws NullPointerException     if {@code group}, {@code boundary} or {@code failures} is null, or a failure is null
     * @throws IllegalArgumentException if {@code failures} is empty
     */
    public DeadLetter {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(boundary, "boundary");
        failures = List.copyOf(failures);
        if (failures.isEmpty()) {
            throw new IllegalArgumentException("a dead letter needs at least one failure");
        }
    }

    /** The failure of the last attempt. */
    public Throwable cause() {
        return failures.get(failures.size() - 1);
    }

    /** How many attempts were made: the number of failures (1 for an output never released because the store failed). */
    public int attempts() {
        return failures.size();
    }

    @Override
    public String toString() {
        return "DeadLetter[group '" + group + "', boundary '" + boundary + "', output #" + sequence + " after "
                + attempts() + " attempt(s): " + cause() + "]";
    }
}
