package io.aurora4j.txn;

/**
 * The JMX face of an open group, registered under {@code io.aurora4j:type=Group,name=<group name>} when the group
 * opens and removed when it closes (turn it off with {@link GroupBuilder#jmx(boolean)}). Attributes are the
 * figures of {@link GroupMetrics}; operations take a checkpoint, wait for durability, list history and roll back,
 * which is what {@code sls status}, {@code sls checkpoint}, {@code sls barrier}, {@code sls history} and
 * {@code sls rollback} call in a running JVM.
 *
 * <p>Two open groups of one name in one JVM: the second is registered with an added {@code instance=<n>} key.
 * Thread-safe; every operation may be called from any thread, never from inside a transaction.
 */
public interface GroupMXBean {
    /** The group's name. */
    String getName();

    /** Whether the group writes its checkpoints to a durable store. */
    boolean isDurable();

    /** State objects registered. */
    int getObjects();

    /** Checkpoints retained in history. */
    int getRetainedCheckpoints();

    /** Id of the newest checkpoint, or -1 before the first. */
    long getNewestCheckpointId();

    /** Transactions committed. */
    long getCommits();

    /** Attempts aborted by a conflict. */
    long getConflictAborts();

    /** Attempts aborted by a rollback of the group. */
    long getRollbackAborts();

    /** Transactions aborted because their body threw. */
    long getExceptionAborts();

    /** Attempts that called {@code retry()}. */
    long getRetryAborts();

    /** Attempts re-run after an abort. */
    long getRetries();

    /** Transactions that gave up with a {@link TransactionConflictException}. */
    long getGaveUp();

    /** Checkpoints taken. */
    long getCheckpoints();

    /** Mean checkpoint latency in microseconds (fractional). */
    double getCheckpointMeanMicros();

    /** Rollbacks performed. */
    long getRollbacks();

    /** Mean rollback latency in microseconds (fractional). */
    double getRollbackMeanMicros();

    /** Checkpoints written to the durable store. */
    long getFlushes();

    /** Bytes handed to the durable store. */
    long getFlushBytes();

    /** Mean flush latency in microseconds (fractional). */
    double getFlushMeanMicros();

    /** Checkpoints taken that are not durable yet. */
    long getDurableLag();

    /**
     * Takes a checkpoint.
     *
     * @param label its label, or null or empty for none
     * @return the checkpoint's id
     */
    long checkpoint(String label);

    /**
     * Takes a checkpoint and waits until it is durable (at once in an in-memory group).
     *
     * @param timeoutMillis how long to wait
     * @return the id of the durable checkpoint
     * @throws IllegalStateException if it did not become durable in time, or the store failed
     */
    long barrier(long timeoutMillis);

    /**
     * The retained history, oldest first, one line per checkpoint: {@code id<TAB>takenAt<TAB>label<TAB>durable}.
     *
     * @return the lines
     */
    String[] history();

    /**
     * Writes an image of a retained checkpoint ({@link Group#send(Checkpoint, java.io.OutputStream)}, or with a base
     * {@link Group#send(Checkpoint, Checkpoint, java.io.OutputStream)}) to a file of this JVM's machine, which
     * {@code sls recv} or {@link Group#receive(java.io.InputStream)} reads. The file appears only once the whole image
     * is written (written aside, then renamed); an existing file is never overwritten. This is what
     * {@code sls send --pid} calls.
     *
     * @param path         an absolute path that does not exist yet, in an existing directory
     * @param checkpointId the checkpoint to send
     * @param baseId       a retained checkpoint older than it to send only what changed since, or -1 for a full image
     * @return the bytes written
     * @throws IllegalArgumentException if a checkpoint is not retained, the base is not older, or the path is not usable
     */
    long sendImage(String path, long checkpointId, long baseId);

    /**
     * Rolls the group back to a retained checkpoint; listeners are notified as for {@link Group#rollback(Checkpoint)}.
     *
     * @param checkpointId the id of a checkpoint in {@link #history()}
     * @return the number of objects restored
     * @throws IllegalArgumentException if no retained checkpoint has that id
     */
    long rollback(long checkpointId);
}
