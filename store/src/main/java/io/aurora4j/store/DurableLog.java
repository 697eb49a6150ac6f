package io.aurora4j.store;

/**
 * An append-only durable log outside checkpoints (Aurora's {@code sls_ntflush}): a record is on stable
 * storage when {@link #append} returns, without waiting for the next checkpoint. An application replays the
 * records appended after its last durable checkpoint from its restore handler.
 *
 * <p>Records are numbered from 0 in append order; numbers are never reused, even after {@link #trimBefore}.
 * A torn record at the tail (a crash during an append) is dropped at open; an earlier corrupt record is a
 * {@link StoreCorruptedException}. Thread-safe: concurrent appends are ordered and may be forced together.
 */
public interface DurableLog {
    /** The log's name. */
    String name();

    /**
     * Appends {@code record} and forces it.
     *
     * @return the record's number
     * @throws StoreFailedException if the write or force failed (the log accepts nothing afterwards)
     */
    long append(byte[] record);

    /** The number the next record will get. */
    long nextNumber();

    /** Visits the records numbered {@code from} and later, in order. */
    void read(long from, RecordVisitor visitor);

    /** Lets the log forget records numbered below {@code number}; their space may be reclaimed. */
    void trimBefore(long number);

    /** Receives log records. */
    @FunctionalInterface
    interface RecordVisitor {
        /** One record; the array is the visitor's to keep. */
        void record(long number, byte[] record);
    }
}
