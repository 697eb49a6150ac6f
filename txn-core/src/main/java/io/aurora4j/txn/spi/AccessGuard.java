package io.aurora4j.txn.spi;

import io.aurora4j.txn.Group;

/**
 * A check bound to a thread ({@link TxnSpi#runGuarded}) that the core runs before that thread touches group
 * state: before each attempt of a top-level transaction begins (so an attempt a rollback aborted re-runs the
 * check), before each single read or write of a {@code TLong}, {@code TRef} or {@code TMap} outside a
 * transaction, and before a {@code Region} access outside a transaction. Throwing refuses the access; nothing
 * of it has happened then. Speculation binds one to its speculative threads so that cancelled work's next
 * access throws. It runs on the hot path of the bound thread only, so it must be cheap (a volatile read or
 * two) and must not block or start transactions. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface AccessGuard {
    /**
     * Called before the bound thread accesses {@code group}'s state.
     *
     * @throws RuntimeException to refuse the access
     */
    void check(Group group);
}
