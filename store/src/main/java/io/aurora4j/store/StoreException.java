package io.aurora4j.store;

/** A store operation failed. Unchecked: callers of a durable group cannot do much but report it. */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** With a message naming the store and what failed. */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** With a message naming the store and what failed. */
    public StoreException(String message) {
        super(message);
    }
}
