package io.aurora4j.txn;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The group's version clock (TL2's global version, in its "GV5" form), alone on its cache line.
 *
 * <h2>Why commits do not write it</h2>
 * A clock that every commit increments is one cache line written by every core: two threads committing
 * disjoint transfers then exchange that line twice per transaction, and two threads did less than one (W2,
 * issue #13). Here a commit only <em>reads</em> the clock ({@link #commitVersion}): its version is one more than
 * the value it read (or than the versions it overwrites, see there), and several commits may share a version.
 * The clock moves forward only when a transaction meets a version newer than its snapshot and extends the
 * snapshot ({@link #advanceTo}), so a line that nobody writes stays shared in every core's cache.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>Every version ever published in a box or page is at most {@code now() + 1}: a commit advances the clock
 *       to the version it overwrites before going past it; {@link #tick()} moves by two, so its result is
 *       greater than every version published before it.</li>
 *   <li>A box's version only grows: each writer publishes a version above the one it overwrote, so a
 *       transaction that validates by comparing the lock word it read never mistakes a new value for the old
 *       one (a blind write at the same version would be an ABA: {@code BlindWriteVersionTest}).</li>
 *   <li>TL2's snapshot rule still holds: a commit observes the clock (reads it, or writes it by CAS) after
 *       locking its write set, at a value {@code g}, and publishes {@code g + 1}; a transaction whose read
 *       version is at least {@code g + 1} observed the clock after that, so it finds the commit's locks or
 *       its values.</li>
 * </ul>
 * The padding classes keep the JVM from placing other fields beside the value (JCTools' layout).
 */
final class Clock extends ClockValue {
    @SuppressWarnings("unused")
    private long q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13, q14, q15;

    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(ClockValue.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    long now() {
        return (long) VALUE.getVolatile(this);
    }

    void set(long v) {
        VALUE.setVolatile(this, v);
    }

    /**
     * Moves the clock to at least {@code target} and returns its value then (at least {@code target}): called by
     * a transaction that read a version newer than its snapshot, before it validates what it read.
     */
    long advanceTo(long target) {
        for (;;) {
            long c = now();
            if (c >= target || VALUE.compareAndSet(this, c, target)) {
                return Math.max(c, target);
            }
        }
    }

    /**
     * The version of a commit that holds the locks of everything it writes, whose overwritten versions are at most
     * {@code overwritten}: greater than both the clock and {@code overwritten}. Writes the clock only when it is
     * behind {@code overwritten} (a box written at a version the clock has not reached yet).
     */
    long commitVersion(long overwritten) {
        long g = now();
        if (overwritten > g) {
            g = advanceTo(overwritten);
        }
        return g + 1;
    }

    /**
     * A version for a change made outside commits (a rollback's restore, a region's page reclaim, a map cell's
     * retirement): greater than every version published before, and the clock's value afterwards.
     */
    long tick() {
        return (long) VALUE.getAndAdd(this, 2L) + 2L;
    }
}

abstract class ClockPad {
    @SuppressWarnings("unused")
    private long p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15;
}

abstract class ClockValue extends ClockPad {
    @SuppressWarnings("unused") // accessed through Clock.VALUE
    volatile long value;
}
