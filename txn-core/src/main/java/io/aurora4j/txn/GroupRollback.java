package io.aurora4j.txn;

import io.aurora4j.notify.RollbackEvent;
import io.aurora4j.notify.RollbackListener;

import java.util.Objects;

/**
 * One rollback (or the restore of a recovery) of a group, typed: the {@link Group} it happened to, the
 * {@link Checkpoint} its state is now that of, and why, as a {@link RollbackCause} to {@code switch} over. What it cost
 * and its place in rollback order are in the untyped {@link #event()} that every listener of the group shares.
 * Handed to a {@link GroupRollbackListener} registered with {@link Group#onGroupRollback} or
 * {@link GroupBuilder#onGroupRestore}:
 *
 * {@snippet :
 * Group bank = Group.builder("bank").store(store)
 *         .onGroupRestore(r -> {
 *             if (r.cause() instanceof RollbackCause.RestoredFromStore) {
 *                 replay(r.group().log("payments"), r.checkpoint().id()); // no cast, and the group at hand
 *             }
 *         })
 *         .open();
 * }
 *
 * <p>Immutable and thread-safe. The checkpoint may have left retention by the time a listener reads it (a later
 * rollback or retention discards it): {@link Checkpoint#isRetained()} says so, and its id and label stay readable.
 */
public final class GroupRollback {
    private final Group group;
    private final Checkpoint checkpoint;
    private final RollbackCause cause;
    private final RollbackEvent event;

    private GroupRollback(Group group, RollbackEvent event) {
        this.group = group;
        // The group's own events only: RollbackSequence publishes them, always with one of its checkpoints.
        this.checkpoint = (Checkpoint) event.checkpoint();
        this.cause = EventCauses.fromEvent(group, event);
        this.event = event;
    }

    /** The untyped listener that hands {@code listener} each event of {@code group}, typed. */
    static RollbackListener listener(Group group, GroupRollbackListener listener) {
        Objects.requireNonNull(listener, "listener");
        return event -> listener.onRollback(new GroupRollback(group, event));
    }

    /**
     * The group that rolled back (or was recovered).
     *
     * @return the group, possibly closed by now
     */
    public Group group() {
        return group;
    }

    /**
     * The checkpoint whose state the group now holds: the one rolled back to, or for a
     * {@link RollbackCause.RestoredFromStore} the group's first checkpoint, which has the recovered one's id.
     *
     * @return the checkpoint, of {@link #group()}
     */
    public Checkpoint checkpoint() {
        return checkpoint;
    }

    /**
     * Why: requested, a failure, a failed speculation, or a restore from the store.
     *
     * @return the typed cause, never null
     */
    public RollbackCause cause() {
        return cause;
    }

    /**
     * The untyped event every listener of the group gets for this rollback: its sequence, duration, counts of
     * restored objects, discarded checkpoints and outputs, and the speculation if one failed.
     *
     * @return the event
     */
    public RollbackEvent event() {
        return event;
    }

    /**
     * One line for logs: the group, the sequence, the checkpoint and the cause.
     *
     * @return the description
     */
    @Override
    public String toString() {
        return "GroupRollback[group=" + group.name() + ", sequence=" + event.sequence() + ", checkpoint=" + checkpoint.id()
                + ", cause=" + cause + "]";
    }
}
