package io.aurora4j.txn;

/**
 * Told about each rollback of a group, typed: registered with {@link Group#onGroupRollback} (later rollbacks) or
 * {@link GroupBuilder#onGroupRestore} (the restore of a recovery too). It is delivered exactly as an untyped
 * {@link io.aurora4j.notify.RollbackListener} of the same group is (see there): once per event, in rollback order,
 * never overlapping, on the group's notification executor, never under a lock of the group; what it throws goes to the
 * group's listener error handler and stops nothing else.
 */
@FunctionalInterface
public interface GroupRollbackListener {

    /**
     * Called once for a rollback, after the group's state has been restored.
     *
     * @param rollback the group, the checkpoint it holds now, and why
     * @throws Exception anything; it is reported to the group's listener error handler
     */
    void onRollback(GroupRollback rollback) throws Exception;
}
