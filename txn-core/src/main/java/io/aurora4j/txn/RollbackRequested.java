package io.aurora4j.txn;

/**
 * The cause carried by the {@link io.aurora4j.notify.RollbackEvent} of a {@link Group#rollback(Checkpoint)}
 * called without one. It names the thread that asked; it has no stack trace, because filling one in costs
 * more than a small rollback (pass your own cause to {@link Group#rollback(Checkpoint, Throwable)} to keep one).
 */
public final class RollbackRequested extends Exception {
    private static final long serialVersionUID = 1L;

    RollbackRequested(Thread caller) {
        super("rollback requested by thread '" + caller.getName() + "'", null, false, false);
    }
}
