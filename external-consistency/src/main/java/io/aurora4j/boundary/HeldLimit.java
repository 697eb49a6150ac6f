package io.aurora4j.boundary;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One job: the memory limit of one {@link Boundary}, {@code maxHeld} outputs pending (sent and not yet
 * settled). A send takes room with one CAS on the pending count ({@link #tryReserve}), or waits for room up to
 * {@code maxBlock}, or fails, as the boundary's {@link Boundary.WhenFull} says; settling an output gives its room
 * back ({@link #release}) and wakes waiting senders. Senders only wait here, never on the release side.
 *
 * <p>Thread-safe.
 */
final class HeldLimit {
    private static final VarHandle PENDING;

    static {
        try {
            PENDING = MethodHandles.lookup().findVarHandle(HeldLimit.class, "pending", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Boundary<?> owner;
    private final long maxHeld;
    private final Boundary.WhenFull whenFull;
    private final long maxBlockNanos;

    @SuppressWarnings("unused") // through PENDING
    private volatile long pending;

    /* Senders waiting for room. */
    private final ReentrantLock fullLock = new ReentrantLock();
    private final Condition notFull = fullLock.newCondition();
    private volatile int waitingSenders; // written under fullLock

    HeldLimit(Boundary<?> owner, long maxHeld, Boundary.WhenFull whenFull, long maxBlockNanos) {
        this.owner = owner;
        this.maxHeld = maxHeld;
        this.whenFull = whenFull;
        this.maxBlockNanos = maxBlockNanos;
    }

    /** Outputs sent and not yet settled: what counts against {@code maxHeld}. */
    long pending() {
        return (long) PENDING.getVolatile(this);
    }

    private boolean tryReserve() {
        for (;;) {
            long n = (long) PENDING.getVolatile(this);
            if (n >= maxHeld) {
                return false;
            }
            if (PENDING.compareAndSet(this, n, n + 1)) {
                return true;
            }
        }
    }

    /**
     * Takes room for one output, waiting for it if the policy says so.
     *
     * @throws BoundaryFullException  if there is no room in time (or at once, under {@code FAIL})
     * @throws IllegalStateException  if the boundary closes while the sender waits
     */
    void reserve() {
        if (tryReserve()) {
            return;
        }
        if (whenFull == Boundary.WhenFull.FAIL) {
            throw full("fails sends when full", null);
        }
        long deadline = System.nanoTime() + maxBlockNanos;
        fullLock.lock();
        try {
            waitingSenders++; // before trying again: a release that frees room after this reads it and signals
            try {
                while (!tryReserve()) {
                    if (owner.isClosed()) {
                        throw owner.closedException();
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw full("waited " + Duration.ofNanos(maxBlockNanos) + " (maxBlock) for room", null);
                    }
                    notFull.awaitNanos(left);
                }
            } finally {
                waitingSenders--;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw full("was interrupted while waiting for room", e);
        } finally {
            fullLock.unlock();
        }
    }

    /** Gives back the room of {@code n} outputs; returns how many are still pending afterwards. */
    long release(long n) {
        long left = (long) PENDING.getAndAdd(this, -n) - n;
        if (waitingSenders > 0) { // read after the decrement: see reserve()
            wakeWaiters();
        }
        return left;
    }

    /** Wakes every sender waiting for room (they try again, or fail if the boundary closed). */
    void wakeWaiters() {
        fullLock.lock();
        try {
            notFull.signalAll();
        } finally {
            fullLock.unlock();
        }
    }

    /** Whether a sender is waiting for room. */
    boolean hasWaiters() {
        return waitingSenders > 0;
    }

    private BoundaryFullException full(String what, Throwable cause) {
        String group = owner.group().name();
        String id = owner.id();
        return new BoundaryFullException(group, id, maxHeld, "boundary '" + id + "' of group '" + group + "' holds "
                + maxHeld + " outputs (maxHeld) and " + what + "; the output was not sent", cause);
    }
}
