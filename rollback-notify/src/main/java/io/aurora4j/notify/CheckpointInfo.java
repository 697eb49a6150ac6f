package io.aurora4j.notify;

import java.util.Optional;

/**
 * What a rollback returned to: the checkpoint whose state was restored. {@code txn-core}'s
 * {@code Checkpoint} implements it; this module only reads it, so that it needs to know nothing
 * about transactions.
 *
 * <p>Implementations should be immutable (or at least answer the same values every time), because
 * a {@link RollbackEvent} that carries one is read by listeners on other threads.
 */
public interface CheckpointInfo {

    /**
     * The checkpoint's id, unique within its group and increasing in the order the checkpoints
     * were taken.
     *
     * @return the checkpoint id
     */
    long id();

    /**
     * The label given when the checkpoint was taken, as in {@code group.checkpoint("before-batch")}.
     *
     * @return the label, or empty for an unlabelled checkpoint
     */
    Optional<String> label();

    /**
     * The name of the group the checkpoint belongs to.
     *
     * @return the group name
     */
    String groupName();
}
