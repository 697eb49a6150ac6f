package io.aurora4j.txn;

/**
 * Internal control flow of {@link Group#retry()}: unwinds the body to the nearest {@link Group#orElse} (which then
 * runs its alternative) or to the top-level retry loop (which waits in {@link RetryWaiters#await} for a change to
 * what the attempt read, then re-runs it). Never escapes {@link Group#atomic}. One shared instance: it carries no
 * stack trace and no state, so throwing it allocates nothing.
 */
final class RetrySignal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    static final RetrySignal INSTANCE = new RetrySignal();

    private RetrySignal() {
        super("transaction attempt blocked in retry() (internal; never seen outside Group.atomic)", null, false, false);
    }
}
