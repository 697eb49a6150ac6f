package io.aurora4j.boundary;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * Orders sends made outside any transaction with a group's rollbacks, the way the group's commit gate
 * orders commits.
 *
 * <p>A send outside a transaction reads the group's current epoch and offers its output to the boundary's
 * queue. A rollback's participant must see every output tagged with an epoch it rolled back, so it closes
 * this gate and waits until no send is between its epoch read and its offer. {@link #enter()} increments
 * one of several padded counters (picked by thread) and then reads {@code closed}; {@link #closeAndDrain()}
 * writes {@code closed} and then waits for every counter to read zero. Both sides use volatile accesses,
 * so (Dekker) either the sender sees {@code closed}, backs out and waits for the gate to open (and then
 * reads the rollback's new epoch), or the rollback sees its increment and waits for its offer. A sender
 * that backed out must wait rather than go on with the new epoch: it is no longer counted, so a second
 * rollback could otherwise miss it.
 */
final class SendGate {
    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int STRIDE = 16; // 128 bytes between counters: no false sharing
    private static final int SLOTS = Math.max(8, Integer.highestOneBit(Runtime.getRuntime().availableProcessors() * 4 - 1) << 1);

    private final long[] cells = new long[SLOTS * STRIDE];
    private volatile boolean closed;

    /** Enters, waiting while a rollback holds the gate closed; returns the index to pass to {@link #exit}. */
    int enter() {
        int index = ((int) mix(Thread.currentThread().threadId()) & (SLOTS - 1)) * STRIDE;
        for (;;) {
            CELLS.getAndAdd(cells, index, 1L);
            if (!closed) { // read after the increment: see the class comment
                return index;
            }
            CELLS.getAndAdd(cells, index, -1L);
            for (int spins = 0; closed; spins++) {
                if (spins < 100) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(2_000L);
                }
            }
        }
    }

    void exit(int index) {
        CELLS.getAndAdd(cells, index, -1L);
    }

    /** Closes the gate and waits until no send that entered before it is still inside. One closer at a time. */
    void closeAndDrain() {
        closed = true;
        for (int i = 0; i < cells.length; i += STRIDE) {
            for (int spins = 0; (long) CELLS.getVolatile(cells, i) != 0; spins++) {
                if (spins < 100) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }
    }

    void open() {
        closed = false;
    }

    private static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        return x;
    }
}
