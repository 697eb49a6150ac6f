package io.aurora4j.boundary;

/**
 * How a {@link Boundary#flush()} future fails: outputs queued since the previous flush went to the
 * dead-letter handler instead of the sink. Each dead letter fails exactly one flush, the first queued after
 * it. The message names the group, the boundary and how many; the cause is the last failure of the most
 * recent of them.
 */
public final class UndeliveredOutputsException extends RuntimeException {
    private final long undelivered;

    UndeliveredOutputsException(String message, long undelivered, Throwable cause) {
        super(message, cause);
        this.undelivered = undelivered;
    }

    /** How many of the outputs the flush covered were dead-lettered. */
    public long undelivered() {
        return undelivered;
    }
}
