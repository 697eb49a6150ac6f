package io.aurora4j.store;

/**
 * A write or force failed, now or earlier: the store is failed and accepts no more checkpoints or log records.
 * The cause is the first failure.
 */
public class StoreFailedException extends StoreException {
    private static final long serialVersionUID = 1L;

    /** With a message naming the store and the first failure as the cause. */
    public StoreFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
