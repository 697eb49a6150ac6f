package io.aurora4j.txn;

/**
 * Internal control flow: unwinds a transaction attempt that must be re-run (a conflict, a rollback of the
 * group, or a snapshot that could not be extended). Never escapes {@link Group#atomic}: the retry loop
 * catches it, and a body that catches it by mistake cannot commit because the attempt is already doomed.
 * No stack trace is filled in; it is thrown on a conflict, which is expected under contention.
 */
final class ConflictSignal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ConflictSignal() {
        super("transaction attempt aborted for a retry (internal; never seen outside Group.atomic)", null, false, false);
    }
}
