package io.aurora4j.store.internal;

import io.aurora4j.store.StoreFailedException;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The first I/O failure of a store, shared by the store and its logs: once a write or force failed, what the
 * files hold is unknown (a failed fsync may have dropped dirty pages), so nothing is retried and everything
 * fails closed. Thread-safe (an atomic reference set once).
 */
final class Failure {
    private final String store;
    private final AtomicReference<Throwable> first = new AtomicReference<>();

    Failure(String store) {
        this.store = store;
    }

    boolean isFailed() {
        return first.get() != null;
    }

    /** Records {@code cause} if it is the first failure; returns the exception to throw. */
    StoreFailedException fail(String what, Throwable cause) {
        first.compareAndSet(null, cause);
        return new StoreFailedException(store + ": " + what + " failed; the store accepts nothing more", first.get());
    }

    /** Throws if the store failed. */
    void check(String what) {
        Throwable f = first.get();
        if (f != null) {
            throw new StoreFailedException(store + " failed earlier and cannot " + what, f);
        }
    }
}
