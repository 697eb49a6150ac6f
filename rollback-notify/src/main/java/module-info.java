/**
 * Aurora4j rollback notification: rollback events, listener registration, and ordered exactly-once
 * delivery on virtual threads. See the package {@link io.aurora4j.notify} for the guarantees.
 *
 * <p>This module depends on nothing but {@code java.base}; it knows nothing about transactions
 * ({@code txn-core} depends on it, not the reverse).
 */
module io.aurora4j.notify {
    exports io.aurora4j.notify;
}
