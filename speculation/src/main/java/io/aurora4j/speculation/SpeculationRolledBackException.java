package io.aurora4j.speculation;

/**
 * Thrown to speculative work that touches group state through its speculation after the speculation was
 * rolled back ({@link Speculation#atomic}, {@link Speculation#checkPending()}), and the cause given to the
 * handlers of speculations failed because an earlier one in the chain failed. Names the group and the
 * speculation. Immutable.
 */
public final class SpeculationRolledBackException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String groupName;
    private final long speculationId;

    SpeculationRolledBackException(String groupName, long speculationId, String message, Throwable cause) {
        super(message, cause);
        this.groupName = groupName;
        this.speculationId = speculationId;
    }

    /** The name of the speculation's group. */
    public String groupName() {
        return groupName;
    }

    /** The id of the speculation that was rolled back. */
    public long speculationId() {
        return speculationId;
    }
}
