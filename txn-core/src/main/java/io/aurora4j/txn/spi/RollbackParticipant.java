package io.aurora4j.txn.spi;

import io.aurora4j.txn.Group;

/**
 * Takes part in a group's rollbacks: told after the state is restored and before any transaction can
 * commit again (the commit gate is still closed), so it can drop what was produced after the checkpoint.
 * Must be quick and must not start transactions; an exception is reported and the rollback completes.
 */
@FunctionalInterface
public interface RollbackParticipant {
    /**
     * @param group    the group
     * @param cutEpoch the epoch the checkpoint closed: everything of a later epoch was rolled back
     * @return how many held outputs were discarded (reported as {@code RollbackEvent.discardedOutputs()})
     */
    long rolledBack(Group group, long cutEpoch);
}
