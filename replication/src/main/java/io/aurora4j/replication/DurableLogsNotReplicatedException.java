package io.aurora4j.replication;

/**
 * Thrown by {@link ReplicatedStore#log} (and so by {@code Group.log(name)} of a group on a replicated store): a
 * durable log ({@code sls_ntflush}) is written outside checkpoints, record by record, and this module replicates
 * checkpoints only. The refusal comes before anything is written, the store and its group stay usable (their
 * checkpoints keep committing through the cluster), and the same call always refuses: nothing is half-replicated.
 * Keep such records in the group's state instead (a {@code TMap} or {@code Region}): they are then part of the
 * next checkpoint, which a barrier commits through the cluster.
 *
 * <p>Immutable.
 */
public final class DurableLogsNotReplicatedException extends UnsupportedOperationException {
    private static final long serialVersionUID = 1L;

    private final String logName;

    DurableLogsNotReplicatedException(String store, String logName) {
        super(store + ": durable log '" + logName + "' refused: a replicated store replicates checkpoints only, not"
                + " records appended outside them; keep the records in the group's state (a TMap or Region) and"
                + " commit them with a barrier");
        this.logName = logName;
    }

    /** The name of the log that was asked for. */
    public String logName() {
        return logName;
    }
}
