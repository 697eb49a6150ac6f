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
 * run a transaction). The first {@link #OWNED} stripes each <em>own</em> a counter: only that thread ever writes
 * it, so it counts with plain reads and single stores, entering with a volatile store (the Dekker side needs
 * its store-load order) and exiting with a release store, one locked instruction per commit instead of two.
 * Threads beyond the first {@code OWNED} share {@link #SHARED} atomic counters ({@link #SLOTS} counters in all).
 * An owner may enter again while inside (a staged delivery that commits in the same group): its counter simply
 * counts higher. Counters are 128 bytes apart, and the first starts 128 bytes into the array, so no counter
 * shares a line with the array header or with this object's {@code closed}, which every commit reads (the array
 * is allocated right after this object). {@code BrokenGateTest} (jcstress) is this protocol with the entering
 * store weakened to a release: it fails, which is why the owner's store stays volatile.
 */
final class CommitGate {
    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int STRIDE = 16; // 128 bytes between counters: no false sharing
    static final int SLOTS = Math.max(8, Integer.highestOneBit(Runtime.getRuntime().availableProcessors() * 4 - 1) << 1);

    /**
     * Counters owned by one thread each: half of them. The total stays {@code SLOTS} because a rollback's or a
     * flush's drain reads every counter under the admin lock, and Lincheck 3.7 took a drain over twice as many for
     * a spin loop: the model checks over durable groups reported false hangs (model-checks README).
     */
    static final int OWNED = SLOTS / 2;
    /** Atomic counters shared by the threads whose stripe is {@code OWNED} or more. */
    static final int SHARED = SLOTS - OWNED;
    /** The last index of an owned counter: an index above it is a shared one. */
    private static final int LAST_OWNED = OWNED * STRIDE;

    private volatile boolean closed;
    /** The owned counters, then the shared ones; a line of padding before the first and after the last. */
    private final long[] cells = new long[(SLOTS + 2) * STRIDE];

    private static int index(int stripe) {
        if (stripe >= 0 && stripe < OWNED) {
            return (stripe + 1) * STRIDE;
        }
        return (OWNED + (stripe & (SHARED - 1)) + 1) * STRIDE;
    }

    /** Enters counter {@code index}: a volatile store by its owner, else an atomic increment. */
    private void increment(int index) {
        if (index <= LAST_OWNED) {
            CELLS.setVolatile(cells, index, (long) CELLS.get(cells, index) + 1);
        } else {
            CELLS.getAndAdd(cells, index, 1L);
        }
    }

    /**
     * Returns the slot to pass to {@link #exit}, or -1 if the gate is closed (after waiting for it to open).
     * {@code stripe} is the calling thread's {@link Txn#stripe}.
     */
    int enter(int stripe) {
        int index = index(stripe);
        increment(index);
        if (closed) { // read after the increment: see the class comment
            exit(index);
            awaitOpen();
            return -1;
        }
        return index;
    }

    /** Enters unless the gate is closed; returns -1 at once when it is (no waiting). */
    int tryEnter(int stripe) {
        int index = index(stripe);
        increment(index);
        if (closed) {
            exit(index);
            return -1;
        }
        return index;
    }

    /** Leaves counter {@code index}: a release store by its owner (everything done inside is visible first). */
    void exit(int index) {
        if (index <= LAST_OWNED) {
            CELLS.setRelease(cells, index, (long) CELLS.get(cells, index) - 1);
        } else {
            CELLS.getAndAdd(cells, index, -1L);
        }
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
