package io.aurora4j.txn;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * Lets a rollback wait for the commits already in flight, and only for those.
 *
 * <p>A commit {@link #enter() enters} before locking its write set and {@link #exit(int) exits} after
 * unlocking it. Entering increments one of several padded counters (chosen by thread, so commits on
 * different threads do not share a cache line) and then reads {@code closed}; {@link #closeAndDrain()}
 * writes {@code closed} and then waits for every counter to read zero. Both sides use volatile
 * accesses, so (Dekker) either the committer sees {@code closed} and backs out, or the closer sees the
 * committer's increment and waits for its exit. Checkpoints never close the gate: they cost O(1).
 */
final class CommitGate {
    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int STRIDE = 16; // 128 bytes between counters: no false sharing
    private static final int SLOTS = Math.max(8, Integer.highestOneBit(Runtime.getRuntime().availableProcessors() * 4 - 1) << 1);

    private final long[] cells = new long[SLOTS * STRIDE];
    private volatile boolean closed;

    /** Returns the slot to pass to {@link #exit}, or -1 if the gate is closed (after waiting for it to open). */
    int enter() {
        int slot = (int) mix(Thread.currentThread().threadId()) & (SLOTS - 1);
        int index = slot * STRIDE;
        CELLS.getAndAdd(cells, index, 1L);
        if (closed) { // read after the increment: see the class comment
            CELLS.getAndAdd(cells, index, -1L);
            awaitOpen();
            return -1;
        }
        return index;
    }

    /** Enters unless the gate is closed; returns -1 at once when it is (no waiting). */
    int tryEnter() {
        int slot = (int) mix(Thread.currentThread().threadId()) & (SLOTS - 1);
        int index = slot * STRIDE;
        CELLS.getAndAdd(cells, index, 1L);
        if (closed) {
            CELLS.getAndAdd(cells, index, -1L);
            return -1;
        }
        return index;
    }

    void exit(int index) {
        CELLS.getAndAdd(cells, index, -1L);
    }

    /** Closes the gate and waits until no commit that entered before is still inside. Caller holds the admin lock. */
    void closeAndDrain() {
        closed = true;
        for (int i = 0; i < cells.length; i += STRIDE) {
            for (int spins = 0; (long) CELLS.getVolatile(cells, i) != 0; spins++) {
                Backoff.spin(spins);
            }
        }
    }

    void open() {
        closed = false;
    }

    private void awaitOpen() {
        for (int spins = 0; closed; spins++) {
            if (spins < 100) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(2_000L);
            }
        }
    }

    private static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        return x;
    }
}
