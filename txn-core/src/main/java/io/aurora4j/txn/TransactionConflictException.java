package io.aurora4j.txn;

import java.util.List;

/**
 * Thrown by {@link Group#atomic} (and by a state object's single operation outside a scope) when a
 * transaction conflicted on every one of its attempts up to the group's retry limit
 * ({@link GroupBuilder#maxRetries(int)}). The transaction left no trace: nothing it wrote was published.
 * The message names the group, the attempts and the objects whose conflicts aborted the attempts.
 */
public final class TransactionConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String groupName;
    private final int attempts;
    private final List<String> contended;

    TransactionConflictException(String groupName, int attempts, List<String> contended) {
        super("transaction in group '" + groupName + "' gave up after " + attempts
                + " conflicting attempts; contended: " + (contended.isEmpty() ? "(the group was rolled back under it)" : String.join(", ", contended)));
        this.groupName = groupName;
        this.attempts = attempts;
        this.contended = List.copyOf(contended);
    }

    /** The group whose transaction gave up. */
    public String groupName() {
        return groupName;
    }

    /** How many attempts were made. */
    public int attempts() {
        return attempts;
    }

    /** Descriptions of the state objects (or map keys) whose conflicts aborted attempts, at most eight. */
    public List<String> contended() {
        return contended;
    }
}
