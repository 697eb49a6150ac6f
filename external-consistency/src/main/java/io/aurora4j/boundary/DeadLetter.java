package io.aurora4j.boundary;

import java.util.List;
import java.util.Objects;

/**
 * An output a boundary could not deliver: its sink failed on every attempt its {@link RetryPolicy}
 * allowed. Handed to the boundary's {@link DeadLetterHandler}, which now owns the output: the boundary
 * will not try it again.
 *
 * @param group     the name of the boundary's group
 * @param boundary  the boundary's id
 * @param output    the output
 * @param sequence  its position among the outputs this boundary released, from 1
 * @param failures  the failure of every attempt, oldest first (never empty)
 * @param <T>       the type of the outputs
 */
public record DeadLetter<T>(String group, String boundary, T output, long sequence, List<Throwable> failures) {

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

    /** How many attempts were made. */
    public int attempts() {
        return failures.size();
    }

    @Override
    public String toString() {
        return "DeadLetter[group '" + group + "', boundary '" + boundary + "', output #" + sequence + " after "
                + attempts() + " attempt(s): " + cause() + "]";
    }
}
