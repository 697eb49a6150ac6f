package io.aurora4j.txn;

/**
 * A snapshot of what a group has done since it was opened, from {@link Group#metrics()}: the figures behind
 * its {@link GroupMXBean} and the optional Micrometer binding.
 *
 * <p>Counts only grow. Transaction counts are summed over per-thread cells without stopping anyone, so a
 * snapshot taken while transactions run is not an atomic cut across threads (a commit may be counted while an
 * abort of the same instant is not yet); each count is exact once the group is quiet. Latencies are in
 * nanoseconds; a mean is 0 before the first sample.
 *
 * @param group                 the group's name
 * @param commits               transactions that committed (top level; nested scopes are part of their parent)
 * @param conflictAborts        attempts aborted by a conflict with another transaction (each is re-run or gives up)
 * @param rollbackAborts        attempts aborted because the group was rolled back under them (re-run on the restored state)
 * @param exceptionAborts       transactions whose body threw: aborted, the exception rethrown
 * @param retryAborts           attempts that called {@code retry()} and waited for a change before running again
 * @param retries               attempts re-run after an abort (conflict, rollback or retry)
 * @param gaveUp                transactions that failed with {@link TransactionConflictException} after their last retry
 * @param checkpoints           checkpoints taken
 * @param checkpointNanos       total time spent taking checkpoints
 * @param checkpointMaxNanos    longest time to take a checkpoint
 * @param rollbacks             rollbacks performed
 * @param rollbackNanos         total time of rollbacks (drain, restore, publish)
 * @param rollbackMaxNanos      longest rollback
 * @param flushes               checkpoints written to the durable store (0 for an in-memory group)
 * @param fullFlushes           of which whole-state (not incremental) writes
 * @param flushBytes            bytes of state handed to the store by those flushes
 * @param flushNanos            total time of flushes, each from reading the checkpoint to the store's commit
 * @param flushMaxNanos         longest flush
 * @param durableLag            checkpoints taken that are not durable yet (0 for an in-memory group, whose memory is its durability)
 * @param retainedCheckpoints   checkpoints in {@link Group#history()}
 * @param objects               state objects registered
 */
public record GroupMetrics(String group,
                           long commits, long conflictAborts, long rollbackAborts, long exceptionAborts,
                           long retryAborts, long retries, long gaveUp,
                           long checkpoints, long checkpointNanos, long checkpointMaxNanos,
                           long rollbacks, long rollbackNanos, long rollbackMaxNanos,
                           long flushes, long fullFlushes, long flushBytes, long flushNanos, long flushMaxNanos,
                           long durableLag, int retainedCheckpoints, int objects) {

    /** Mean time to take a checkpoint in nanoseconds, 0 before the first. */
    public long checkpointMeanNanos() {
        return checkpoints == 0 ? 0 : checkpointNanos / checkpoints;
    }

    /** Mean time of a rollback in nanoseconds, 0 before the first. */
    public long rollbackMeanNanos() {
        return rollbacks == 0 ? 0 : rollbackNanos / rollbacks;
    }

    /** Mean time of a flush in nanoseconds, 0 before the first. */
    public long flushMeanNanos() {
        return flushes == 0 ? 0 : flushNanos / flushes;
    }
}
