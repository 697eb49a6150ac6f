package io.aurora4j.boundary;

/**
 * Takes the outputs a boundary could not deliver (see {@link RetryPolicy}). Called on the release task, in
 * release order, once per output; the next output is released after it returns. A handler that throws is
 * reported through {@code System.Logger} (warning) and the boundary goes on.
 *
 * <p>The default handler logs a warning naming the group, the boundary, the output's sequence number, the
 * number of attempts and the last failure, with the output's {@code toString()} cut to 200 characters.
 *
 * @param <T> the type of the outputs
 */
@FunctionalInterface
public interface DeadLetterHandler<T> {
    /**
     * Takes one output the boundary gave up on, with every failure that made it give up.
     *
     * @param letter the output, its boundary, group and sequence number, and the failures
     */
    void deadLetter(DeadLetter<? extends T> letter);
}
