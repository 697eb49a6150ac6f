package io.aurora4j.txn;

/**
 * How a state object takes part in persistence (Aurora's {@code sls_mctl}); set with
 * {@link Group#setPersistence(String, Persistence)}.
 */
public enum Persistence {
    /** Checkpointed in memory (rollback restores it) and written to the group's store: it survives a crash. The default. */
    DURABLE,
    /**
     * Checkpointed in memory (rollback and views see it) but never written to the store or into images sent with
     * {@link Group#send}: after a recovery it does not exist, and the application creates it again (a cache, a
     * connection table, anything rebuilt on restart).
     */
    EPHEMERAL,
    /**
     * Not checkpointed at all: rollback leaves it as it is, and it is never written. Only {@link Region}s can be
     * excluded, when they are built ({@link Region.Builder}); it is reported here for them.
     */
    EXCLUDED
}
