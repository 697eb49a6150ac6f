package io.aurora4j.boundary;

/**
 * A send found its boundary holding as many outputs as it may ({@code maxHeld}) and could not wait for room:
 * the boundary fails sends when full, or the wait timed out or was interrupted. The output was not sent.
 * The message names the group, the boundary, the limit and the policy.
 */
public final class BoundaryFullException extends RuntimeException {
    private final String group;
    private final String boundary;
    private final long limit;

    BoundaryFullException(String group, String boundary, long limit, String message, Throwable cause) {
        super(message, cause);
        this.group = group;
        this.boundary = boundary;
        this.limit = limit;
    }

    /** The name of the boundary's group. */
    public String group() {
        return group;
    }

    /** The boundary's id. */
    public String boundary() {
        return boundary;
    }

    /** The boundary's {@code maxHeld}. */
    public long limit() {
        return limit;
    }
}
