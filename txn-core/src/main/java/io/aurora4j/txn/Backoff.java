package io.aurora4j.txn;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/** Spin, then yield, then park: for lock waits (short) and conflict retries (randomized, growing). */
final class Backoff {
    private Backoff() {
    }

    /** One step of waiting for a lock held during a write-back, which lasts nanoseconds to microseconds. */
    static void spin(int spins) {
        if (spins < 64) {
            Thread.onSpinWait();
        } else if (spins < 128) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(1_000L);
        }
    }

    /** Waits before retry number {@code attempt} of a conflicting transaction: randomized exponential. */
    static void beforeRetry(int attempt) {
        if (attempt <= 2) {
            return;
        }
        if (attempt <= 6) {
            int n = ThreadLocalRandom.current().nextInt(1 << attempt);
            for (int i = 0; i < n; i++) {
                Thread.onSpinWait();
            }
            return;
        }
        if (attempt <= 10) {
            Thread.yield();
            return;
        }
        long maxNanos = 1_000L << Math.min(attempt - 10, 10); // up to ~1 ms
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(maxNanos / 2, maxNanos));
    }
}
