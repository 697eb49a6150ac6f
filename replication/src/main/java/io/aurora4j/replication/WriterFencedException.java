package io.aurora4j.replication;

import io.aurora4j.store.StoreFailedException;

/**
 * Another writer opened the replicated store (its writer term is newer): this one can commit nothing more.
 * The store fails for good, so its group releases nothing after it (fail closed).
 */
public class WriterFencedException extends StoreFailedException {
    private static final long serialVersionUID = 1L;

    /** With a message naming the checkpoint and both terms. */
    public WriterFencedException(String message) {
        super(message, null);
    }
}
