package io.aurora4j.txn;

import io.aurora4j.store.Codecs;
import io.aurora4j.store.DurableLog;

/**
 * One job: what a group's durability is, as the group sees it — {@link MemoryDurability} for a group that keeps its
 * checkpoints in memory (memory is its durability), {@link StoreDurability} for a group that writes them to a store.
 * The group calls it and never asks which one it has; the durability talks to the {@link EpochTimeline} (which tells
 * it of checkpoints and rollbacks through {@link EpochTimeline.Observer}), never back to the group.
 *
 * <p>Implementations are thread-safe; methods marked "admin lock held" are called under the timeline's admin lock.
 */
sealed interface Durability extends EpochTimeline.Observer permits MemoryDurability, StoreDurability {
    /** Whether checkpoints are written to a durable store. */
    boolean isDurable();

    /** How values are encoded in the store and in images. */
    Codecs codecs();

    /**
     * The closed-epoch number of the newest checkpoint on stable storage: {@link Long#MAX_VALUE} for a group without a
     * store (every epoch is as durable as it gets), -1 if none yet or the store failed.
     */
    long durableEpoch();

    /** Whether the store failed (durability ended for good). */
    boolean failed();

    /** Runs {@code listener} after every checkpoint made durable (and once when the store fails); returns its removal. */
    Runnable onDurable(Runnable listener);

    /** A barrier was taken: write the newest checkpoint now rather than at the end of the period. */
    void requestFlush();

    /** The durable log {@code name} of the group (Aurora's {@code sls_ntflush}). */
    DurableLog log(String name);

    /** Admin lock held: a persistence policy changed; the next durable checkpoint is written in full. */
    void policyChanged();

    /** The group is about to close (outside the admin lock): a last checkpoint is made durable if it can be. */
    void beforeClose();

    /** Admin lock held: the group closed; checkpoints still waiting never become durable; resources are released. */
    void close();
}
