package io.aurora4j.txn;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * One job: the transactions of one group that are blocked in {@link Group#retry()}, and waking them when something
 * they read may have changed (a commit that wrote, a purge of a map cell, a rollback, close).
 *
 * <h2>Cost when nobody waits</h2>
 * A writing commit, a purge, a rollback and close call {@link #wakeIfAny()}: one volatile read of {@link #count},
 * nothing written and nothing allocated while it is zero.
 *
 * <h2>No lost wake-up</h2>
 * A waiter adds itself to {@link #waiting}, increments {@link #count} (a volatile read-modify-write), issues a full
 * fence and only then re-reads the lock word of every box its attempt read (and the group's incarnation and
 * {@code closed}). A committer CASes each written box's lock word (volatile) before it reads {@link #count}. So
 * (Dekker) either the committer reads a count that includes the waiter and wakes it, or the waiter's re-read comes
 * after the committer's CAS and sees the box locked or at its new version, and does not park. A rollback writes the
 * incarnation (volatile) before it reads the count; close writes {@code closed} before it does. The waiter is in
 * {@link #waiting} before the count moves, so a committer that sees the count finds the waiter. Checked by
 * {@code RetryWakeUpTest} and {@code RetryWakeUpRollbackTest} (jcstress); {@code BrokenRetryWakeUpTest} re-reads
 * before registering and shows the lost wake-up.
 *
 * <p>Wake-ups are per group, not per object: a commit that wrote anything wakes every waiter of the group, and each
 * waiter re-checks its own reads and parks again if none changed (its body is not re-run). That keeps the commit path
 * free of any per-object state; the price is spurious wake-ups of waiters on unrelated objects, which cost them a
 * re-check each. Thread-safe.
 */
final class RetryWaiters {
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(RetryWaiters.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** At most this many objects are named in a timeout or close message. */
    private static final int NAMED_OBJECTS = 16;

    private final Group group;
    /** Waiters registered, updated after {@link #waiting}: a reader that sees it non-zero finds them there. */
    @SuppressWarnings("unused") // through COUNT
    private volatile int count;
    private final Set<Waiter> waiting = ConcurrentHashMap.newKeySet();

    RetryWaiters(Group group) {
        this.group = group;
    }

    /** A thread blocked in retry(). {@code signalled} records a wake-up (for tests; the thread is also unparked). */
    static final class Waiter {
        final Thread thread = Thread.currentThread();
        volatile boolean signalled;
    }

    // ------------------------------------------------------------------ the waking side

    /** Called after anything a waiter may have read changed: free (one volatile read) when nobody waits. */
    void wakeIfAny() {
        if ((int) COUNT.getVolatile(this) != 0) {
            wakeAll();
        }
    }

    private void wakeAll() {
        for (Waiter w : waiting) {
            w.signalled = true;
            LockSupport.unpark(w.thread);
        }
    }

    /** Waiters registered now (for tests and monitoring). */
    int waiters() {
        return (int) COUNT.getVolatile(this);
    }

    // ------------------------------------------------------------------ the waiting side

    /** Makes the calling thread visible to wakers; the caller re-checks its reads after this and before parking. */
    Waiter register() {
        Waiter w = new Waiter();
        waiting.add(w);
        COUNT.getAndAdd(this, 1);
        VarHandle.fullFence(); // the re-check's reads must not move above the count's increment (see the class comment)
        return w;
    }

    void deregister(Waiter w) {
        waiting.remove(w);
        COUNT.getAndAdd(this, -1);
    }

    /**
     * Blocks the attempt {@code t} (which threw {@link RetrySignal} and still holds its read set) until something it
     * read changes or the group is rolled back; then returns, and the caller abandons the attempt and re-runs it.
     *
     * @throws IllegalStateException    if the attempt read nothing (it could never be woken), or the group is or gets
     *                                  closed (naming it and what was waited on)
     * @throws RetryTimeoutException    if the transaction's timeout runs out first
     * @throws CancellationException    if the thread is interrupted (its interrupt status stays set)
     */
    void await(Txn t) {
        if (!t.hasReads()) {
            throw new IllegalStateException("retry() in a transaction of group '" + group.name()
                    + "' that has read nothing: no change could ever wake it");
        }
        Waiter w = register();
        try {
            while (true) {
                if (group.isClosed()) {
                    throw new IllegalStateException("group '" + group.name() + "' was closed while a transaction waited"
                            + " in retry() on " + t.describeReads(NAMED_OBJECTS));
                }
                if (t.readsChanged()) {
                    return;
                }
                Duration timeout = t.retryTimeout;
                if (timeout != null) {
                    long left = t.retryDeadline - System.nanoTime();
                    if (left <= 0) {
                        throw new RetryTimeoutException(group.name(), timeout, t.describeReads(NAMED_OBJECTS));
                    }
                    LockSupport.parkNanos(this, left);
                } else {
                    LockSupport.park(this);
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new CancellationException("a transaction of group '" + group.name()
                            + "' was interrupted while it waited in retry() on " + t.describeReads(NAMED_OBJECTS));
                }
            }
        } finally {
            deregister(w);
        }
    }

    // ------------------------------------------------------------------ entry points for Group's public methods

    /** {@link Group#retry()}: checks that it may block, then unwinds the attempt. */
    static void retry(Group g) {
        Txn t = Txn.current();
        if (!t.active || t.group != g) {
            throw new IllegalStateException("retry() needs a running transaction of group '" + g.name()
                    + "' on this thread: it blocks that transaction until something it read changes"
                    + (t.active ? " (a transaction of group '" + t.group.name() + "' is running)" : ""));
        }
        throw RetrySignal.INSTANCE; // an orElse may catch it; whether the attempt can wait is checked in await

    }

    /** {@link Group#atomic(Duration, Supplier)}: the body's waits in retry() share one deadline. */
    static <R> R withTimeout(Group g, Duration timeout, Supplier<R> body) {
        if (timeout == null) {
            throw new NullPointerException("timeout");
        }
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout " + timeout + " for a transaction of group '" + g.name()
                    + "' is negative");
        }
        Txn t = Txn.current();
        if (t.active) {
            throw new IllegalStateException("a timeout applies to a whole transaction: atomic(" + timeout
                    + ", ...) of group '" + g.name() + "' was called inside a transaction of group '" + t.group.name()
                    + "'; call it outside any transaction");
        }
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            nanos = Long.MAX_VALUE / 2; // ~146 years: no deadline to speak of, and no overflow below
        }
        t.retryTimeout = timeout;
        t.retryDeadline = System.nanoTime() + Math.min(nanos, Long.MAX_VALUE / 2);
        try {
            return g.atomic(body);
        } finally {
            t.retryTimeout = null;
        }
    }
}
