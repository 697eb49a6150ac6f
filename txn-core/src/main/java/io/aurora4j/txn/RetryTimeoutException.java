package io.aurora4j.txn;

import java.time.Duration;
import java.util.List;

/**
 * A transaction run with a timeout ({@link Group#atomic(Duration, java.util.function.Supplier)}) called
 * {@link Group#retry()} and nothing it read changed before the timeout ran out. Its writes were discarded. Names the
 * group, the timeout, and the objects the last attempt read (what it waited on). Immutable.
 */
public final class RetryTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String group;
    private final Duration timeout;
    private final List<String> waitedOn;

    RetryTimeoutException(String group, Duration timeout, List<String> waitedOn) {
        super("group '" + group + "': a transaction waited " + timeout + " in retry() and nothing it read changed;"
                + " it waited on " + waitedOn);
        this.group = group;
        this.timeout = timeout;
        this.waitedOn = List.copyOf(waitedOn);
    }

    /** The name of the group the transaction ran in. */
    public String group() {
        return group;
    }

    /** The timeout the transaction was given. */
    public Duration timeout() {
        return timeout;
    }

    /** The objects the last attempt read before it called {@code retry()} (at most 16 are named). */
    public List<String> waitedOn() {
        return waitedOn;
    }
}
