package io.aurora4j.txn;

/**
 * A transaction body that may throw a checked exception, for {@link Group#atomicChecked(TxnCallable)}. Like every
 * body it may run more than once (on conflicts and rollbacks); side effects that must not repeat belong in
 * {@link Group#afterCommit} hooks.
 *
 * @param <R> the result
 * @param <E> the checked exception the body may throw
 */
@FunctionalInterface
public interface TxnCallable<R, E extends Exception> {
    /** Runs the body inside the transaction. */
    R call() throws E;
}
