package io.aurora4j.txn;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * Lets a rollback wait for the commits already in flight, and only for those.
 *
 * <p>A commit {@link #enter(int) enters} before locking its write set and {@link #exit(int) exits} after
 * unlocking it. Entering increments one of several padded counters and then reads {@code closed};
 * {@link #closeAndDrain()} writes {@code closed} and then waits for every counter to read zero. Both sides use
 * volatile accesses, so (Dekker) either the committer sees {@code closed} and backs out, or the closer sees the
 * committer's increment and waits for its exit. Checkpoints never close the gate: they cost O(1).
 *
 * <h2>Layout (issue #13)</h2>
 * The counter is chosen by the caller's thread stripe ({@link Txn#stripe}, numbered in the order threads first
 * run a transaction), so the first {@link #SLOTS} threads each have a counter of their own; hashing thread ids
 * put two threads on one counter one time in eight. Counters are 128 bytes apart, and the first starts 128 bytes
 * into the array, so no counter shares a line with the array header or with this object's {@code closed}, which
 * every commit reads (the array is allocated right after this object). Counters stay atomic: threads beyond the
 * first {@code SLOTS} share them.
 */
final class CommitGate {
    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int STRIDE = 16; // 128 bytes between counters: no false sharing
    static final int SLOTS = Math.max(8, Integer.highestOneBit(Runtime.getRuntime().availableProcessors() * 4 - 1) << 1);

    private volatile boolean closed;
    /** A line of padding before the first counter and after the last. */
    private final long[] cells = new long[(SLOTS + 2) * STRIDE];

    private static int index(int stripe) {
        return ((stripe & (SLOTS - 1)) + 1) * STRIDE;
    }

    /**
     * Returns the slot to pass to {@link #exit}, or -1 if the gate is closed (after waiting for it to open).
     * {@code stripe} is the calling thread's {@link Txn#stripe}.
     */
    int enter(int stripe) {
        int index = index(stripe);
        CELLS.getAndAdd(cells, index, 1L);
        if (closed) { // read after the increment: see the class comment
            CELLS.getAndAdd(cells, index, -1L);
            awaitOpen();
            return -1;
        }
        return index;
    }

    /** Enters unless the gate is closed; returns -1 at once when it is (no waiting). */
    int tryEnter(int stripe) {
        int index = index(stripe);
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
        for (int i = STRIDE; i < cells.length - STRIDE; i += STRIDE) {
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
}
