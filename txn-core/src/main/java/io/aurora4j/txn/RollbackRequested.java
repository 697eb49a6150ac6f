package io.aurora4j.txn;

/**
 * The cause carried by the {@link io.aurora4j.notify.RollbackEvent} of a {@link Group#rollback(Checkpoint)}
 * called without one: its stack trace shows who asked for the rollback.
 */
public final class RollbackRequested extends Exception {
    private static final long serialVersionUID = 1L;

    RollbackRequested(Thread caller) {
        super("rollback requested by thread '" + caller.getName() + "'");
    }
}
