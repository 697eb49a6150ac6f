package io.aurora4j.txn;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One job: running transactions of a group — the retry loop (attempt, commit, on conflict back off and re-run up
 * to the retry limit), nested scopes, and the after-commit/after-rollback hooks.
 *
 * <p>There is one loop for bodies that return a reference ({@link #runRef}: an {@code atomic} body or a single
 * reference operation) and its primitive twin {@link #runLong} for single {@code long} operations, which must not
 * box their result. Both go through the same conflict policy, {@link #onConflict}: <b>the one place where a
 * conflicting attempt is caught</b> and it is decided whether and when it re-runs. Neither allocates per attempt:
 * {@code atomic} bodies are passed as the operand of a constant operation, never captured.
 *
 * The loops are static and take the group, as the methods of {@code Group} they replace did: a single operation of
 * a {@link TLong} or {@link TRef} reaches the loop with no more loads than before.
 *
 * <p>Thread-safe: all state of an attempt lives in the calling thread's {@link Txn}.
 */
final class TransactionRunner {
    private static final System.Logger LOG = System.getLogger(TransactionRunner.class.getName());

    @FunctionalInterface
    interface LongOp {
        long apply(Txn t, LongBox box, long a, long b);
    }

    @FunctionalInterface
    interface RefOp {
        Object apply(Txn t, RefBox box, Object a, Object b);
    }

    /** An {@code atomic(Supplier)} body, passed as {@code a}. */
    private static final RefOp SUPPLIER = (t, box, a, b) -> ((Supplier<?>) a).get();
    /** An {@code atomic(Runnable)} body, passed as {@code a}. */
    private static final RefOp RUNNABLE = (t, box, a, b) -> {
        ((Runnable) a).run();
        return null;
    };

    private final Group group;
    private final int maxRetries;
    private final Consumer<Throwable> hookErrorHandler;

    TransactionRunner(Group group, int maxRetries, Consumer<Throwable> hookErrorHandler) {
        this.group = group;
        this.maxRetries = maxRetries;
        this.hookErrorHandler = hookErrorHandler;
    }

    /** {@code atomic}: a top-level transaction, or a nested one inside a running transaction of this group. */
    @SuppressWarnings("unchecked")
    <R> R atomic(Supplier<R> supplier, Runnable runnable) {
        Txn t = Txn.current();
        RefOp op = supplier != null ? SUPPLIER : RUNNABLE;
        Object body = supplier != null ? supplier : runnable;
        if (t.active) {
            return (R) nested(t, op, body);
        }
        return (R) runRef(group, t, null, body, null, op, true);
    }

    /**
     * The retry loop: runs {@code op} as its own transaction until it commits. With {@code scope} (an {@code atomic}
     * body) the attempt's hooks run: after-commit hooks once it commits, after-rollback hooks when it rolls back.
     */
    static Object runRef(Group group, RefBox box, Object a, Object b, RefOp op, boolean scope) {
        return runRef(group, Txn.current(), box, a, b, op, scope);
    }

    /** {@link #runRef(Group, RefBox, Object, Object, RefOp, boolean)} on the calling thread's descriptor. */
    private static Object runRef(Group group, Txn t, RefBox box, Object a, Object b, RefOp op, boolean scope) {
        group.checkOpen();
        for (int attempt = 1; ; attempt++) {
            t.begin(group);
            Object result;
            try {
                // An atomic body is called directly, as before the loops were shared: no extra dispatch per transaction.
                if (op == SUPPLIER) {
                    result = ((Supplier<?>) a).get();
                } else if (op == RUNNABLE) {
                    ((Runnable) a).run();
                    result = null;
                } else {
                    result = op.apply(t, box, a, b);
                }
                t.commit();
            } catch (ConflictSignal conflict) {
                aborted(group, t, attempt);
                endAttempt(group, t, scope);
                onConflict(group, t, attempt);
                continue;
            } catch (RetrySignal blocked) { // retry() (issue #13): wait for a change to what it read, then re-run
                group.counters.cell(t).increment(GroupCounters.RETRY_ABORTS);
                try {
                    group.retryWaiters.await(t);
                } finally {
                    endAttempt(group, t, scope);
                    t.forgetContended();
                }
                group.counters.cell(t).increment(GroupCounters.RETRIES);
                attempt = 0; // a wait is not a conflict: the next conflicts count from one
                continue;
            } catch (Throwable failure) {
                failed(group, t);
                endAttempt(group, t, scope);
                t.forgetContended();
                throw failure;
            }
            committed(group, t, attempt);
            List<Runnable> hooks = scope ? t.takeAfterCommit() : null;
            t.end();
            t.forgetContended();
            if (hooks != null) {
                group.runner.runHooks(hooks);
            }
            return result;
        }
    }

    /** The retry loop of {@link #runRef} for a single operation on one {@code long} box: no boxing, no allocation. */
    static long runLong(Group group, LongBox box, long a, long b, LongOp op) {
        group.checkOpen();
        Txn t = Txn.current();
        for (int attempt = 1; ; attempt++) {
            t.begin(group);
            try {
                long r = op.apply(t, box, a, b);
                t.commit();
                committed(group, t, attempt);
                t.end();
                t.forgetContended();
                return r;
            } catch (ConflictSignal conflict) {
                aborted(group, t, attempt);
                t.end();
                onConflict(group, t, attempt);
            } catch (Throwable failure) {
                failed(group, t);
                t.end();
                t.forgetContended();
                throw failure;
            }
        }
    }

    /**
     * The conflict policy of every loop, called after a conflicting attempt ended: gives up with
     * {@link TransactionConflictException} at the retry limit, or backs off before the next attempt.
     */
    private static void onConflict(Group group, Txn t, int attempt) {
        group.checkOpen();
        if (attempt >= group.runner.maxRetries) {
            List<String> contended = List.copyOf(t.contended().take());
            group.counters.cell(t).increment(GroupCounters.GAVE_UP);
            endConflictEvent(group, t, attempt, true, contended);
            throw new TransactionConflictException(group.name(), attempt, contended);
        }
        group.counters.cell(t).increment(GroupCounters.RETRIES);
        Backoff.beforeRetry(attempt);
    }

    // ------------------------------------------------------------------ counting (GroupCounters, Jfr)
    // One field load and compare to find the thread's cell, one opaque store to count: see GroupCounters.

    /** Counts a commit; ends the conflict event of a transaction that had conflicted (then only). */
    private static void committed(Group group, Txn t, int attempt) {
        group.counters.cell(t).increment(GroupCounters.COMMITS);
        if (t.conflictEvent != null) {
            endConflictEvent(group, t, attempt, false, null);
        }
    }

    /** Counts a transaction whose body threw; a conflict event it had started is dropped with it. */
    private static void failed(Group group, Txn t) {
        group.counters.cell(t).increment(GroupCounters.EXCEPTION_ABORTS);
        t.conflictEvent = null;
    }

    /** Counts an aborted attempt by its cause (before {@code t.end()}); starts the conflict event on the first. */
    private static void aborted(Group group, Txn t, int attempt) {
        group.counters.cell(t).increment(t.rolledBackUnder() ? GroupCounters.ROLLBACK_ABORTS : GroupCounters.CONFLICTS);
        if (attempt == 1) {
            Jfr.TransactionConflictEvent e = new Jfr.TransactionConflictEvent();
            if (e.isEnabled()) {
                e.begin();
                t.conflictEvent = e;
            }
        }
    }

    private static void endConflictEvent(Group group, Txn t, int attempt, boolean gaveUp, List<String> contended) {
        Jfr.TransactionConflictEvent e = t.conflictEvent;
        if (e == null) {
            return;
        }
        t.conflictEvent = null;
        e.end();
        if (e.shouldCommit()) {
            e.group = group.name();
            e.attempts = attempt;
            e.gaveUp = gaveUp;
            e.contended = contended != null ? String.join(",", contended) : String.join(",", t.contended().peek());
            e.commit();
        }
    }

    /** Ends an attempt that did not commit; a scope's after-rollback hooks run. */
    private static void endAttempt(Group group, Txn t, boolean scope) {
        if (!scope) {
            t.end();
            return;
        }
        List<Runnable> hooks = t.takeAfterRollback();
        t.end();
        group.runner.runHooks(hooks);
    }

    private Object nested(Txn t, RefOp op, Object body) {
        if (t.group != group) {
            throw new IllegalStateException("a transaction of group '" + t.group.name() + "' is running on this thread;"
                    + " a transaction cannot span groups (atomic of group '" + group.name() + "' was called inside it)");
        }
        t.enterNested();
        Object result;
        try {
            result = op.apply(t, null, body, null);
        } catch (ConflictSignal conflict) {
            throw conflict; // the whole attempt re-runs; the top-level loop resets the nesting
        } catch (Throwable failure) {
            runHooks(t.rollbackNested());
            throw failure;
        }
        t.commitNested();
        return result;
    }

    /** The running transaction of this group on this thread, for an operation that needs one. */
    Txn running(String what) {
        Txn t = Txn.current();
        if (!t.active || t.group != group) {
            throw new IllegalStateException(what + " needs a running transaction of group '" + group.name() + "' on this thread");
        }
        return t;
    }

    private void runHooks(List<Runnable> hooks) {
        if (hooks == null) {
            return;
        }
        for (Runnable hook : hooks) {
            try {
                hook.run();
            } catch (VirtualMachineError fatal) {
                throw fatal;
            } catch (Throwable e) {
                reportHookFailure(e);
            }
        }
    }

    void reportHookFailure(Throwable e) {
        if (e instanceof VirtualMachineError fatal) {
            throw fatal;
        }
        try {
            hookErrorHandler.accept(e);
        } catch (Throwable ignored) {
            LOG.log(System.Logger.Level.WARNING, "the hook error handler of group '" + group.name() + "' threw", ignored);
        }
    }
}
