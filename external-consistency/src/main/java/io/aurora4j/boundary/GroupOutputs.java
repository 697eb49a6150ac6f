package io.aurora4j.boundary;

import io.aurora4j.boundary.spi.ReleaseHolds;
import io.aurora4j.store.StoreFailedException;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.spi.ExtensionKey;
import io.aurora4j.txn.spi.RollbackParticipant;
import io.aurora4j.txn.spi.TxnSpi;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The outputs coordinator of one group: the boundaries of the group, the release conditions that make up
 * the group's watermark, the gate that orders sends outside transactions with rollbacks, and the group's
 * rollback participant.
 *
 * <h2>Design</h2>
 * One coordinator per group, kept in the group itself as its extension ({@code TxnSpi.extension}): created
 * once, on the first boundary, and gone with the group, with no global registry or lock. It reads the holds
 * other modules put on the group ({@link ReleaseHolds}, the speculation module's) as one of its conditions.
 *
 * <p>On a rollback the group calls {@link #rolledBack} after the state is restored, with its commit gate
 * still closed and its new epoch already published. Every commit that belongs to a rolled-back epoch has
 * finished (the gate drained them) and so has enqueued its outputs; this coordinator then closes its own
 * {@link SendGate} so that every send outside a transaction that read a rolled-back epoch has enqueued too,
 * and asks each {@code EXTERNAL} boundary to drop what it still holds of the epochs after the cut. What a
 * boundary already released stays released: it came from work that had committed and was not held by any
 * condition.
 *
 * <p>In a durable group the coordinator owns one more condition from the start, a {@link DurableCondition}:
 * outputs wait until the checkpoint that closed their epoch is durable, and after a store failure, outputs of
 * later epochs are never released.
 *
 * <p>Thread-safe.
 */
final class GroupOutputs implements RollbackParticipant {
    private static final ExtensionKey<GroupOutputs> KEY = ExtensionKey.named("io.aurora4j.boundary outputs");

    final String groupName;
    final SendGate sendGate = new SendGate();
    /** Every boundary that may still hold outputs: open ones, and closed ones until they have settled all. */
    private final CopyOnWriteArrayList<Boundary<?>> boundaries = new CopyOnWriteArrayList<>();
    /** Ids of the open boundaries: an id is unique among them. */
    private final ConcurrentHashMap<String, Boundary<?>> openIds = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<ReleaseCondition> conditions = new CopyOnWriteArrayList<>();
    /** The durability hold of a durable group (issue 6); null for a group without a durable store. */
    private final DurableCondition durable;
    /** The group's holds from other modules: one condition here, and they tell this coordinator when they move. */
    private final ReleaseHolds holds;

    private GroupOutputs(Group group) {
        this.groupName = group.name();
        if (group.isDurable()) {
            this.durable = new DurableCondition(group, this);
            conditions.add(durable);
        } else {
            this.durable = null;
        }
        // Holds other modules put on the group, before or after this coordinator exists (speculation's).
        this.holds = ReleaseHolds.of(group);
        conditions.add(holds::releasableThrough);
    }

    /** The coordinator of {@code group}, created (and registered as its rollback participant) on first use. */
    static GroupOutputs of(Group group) {
        return TxnSpi.extension(group, KEY, GroupOutputs::create);
    }

    /** Runs once per group, through the group's extension slot. */
    private static GroupOutputs create(Group group) {
        GroupOutputs created = new GroupOutputs(group);
        TxnSpi.addRollbackParticipant(group, created); // fails for a closed group, naming it; nothing is kept then
        created.holds.watch(created::conditionsChanged); // only a coordinator the group kept is told
        if (created.durable != null) {
            created.durable.start(); // after the participant: a closed group has failed above, before any listener
        }
        return created;
    }

    void register(Boundary<?> boundary) {
        Boundary<?> previous = openIds.putIfAbsent(boundary.id(), boundary);
        if (previous != null) {
            throw new IllegalArgumentException("group '" + groupName + "' already has an open boundary '" + boundary.id()
                    + "' (" + previous.mode() + "): close it first or pick another id");
        }
        boundaries.add(boundary);
    }

    /** The boundary's id is free again; the boundary stays registered for rollbacks until it has settled everything. */
    void closed(Boundary<?> boundary) {
        openIds.remove(boundary.id(), boundary);
    }

    /** A closed boundary holds nothing any more: rollbacks need not ask it. */
    void settled(Boundary<?> boundary) {
        boundaries.remove(boundary);
    }

    /** Outputs of epochs up to the returned one are releasable: the minimum over the release conditions. */
    long watermark() {
        long w = Long.MAX_VALUE;
        for (ReleaseCondition c : conditions) {
            w = Math.min(w, c.releasableThrough());
        }
        return w;
    }

    /**
     * Outputs of epochs after the returned one can never be released: the group's durable store failed, and
     * only what its last durable checkpoint covers may still go. {@link Long#MAX_VALUE} while nothing failed
     * (or the group has no durable store).
     */
    long releasableAtMost() {
        return durable == null ? Long.MAX_VALUE : durable.releasableAtMost();
    }

    /** The store failure that makes outputs of epochs after {@link #releasableAtMost()} undeliverable, or null. */
    StoreFailedException storeFailure() {
        return durable == null ? null : durable.failure();
    }

    /**
     * A boundary holds outputs of epochs up to {@code newestHeldEpoch} that its watermark does not cover: in a
     * durable group, make sure a checkpoint will close that epoch even if no state changes in it (see
     * {@link DurableCondition#awaiting}).
     */
    void holding(long newestHeldEpoch) {
        if (durable != null) {
            durable.awaiting(newestHeldEpoch);
        }
    }

    /** Adds a release condition; the returned action removes it (and lets waiting outputs go). */
    Runnable addCondition(ReleaseCondition condition) {
        conditions.add(condition);
        return () -> {
            conditions.remove(condition);
            conditionsChanged();
        };
    }

    /** A condition moved forward: every boundary looks at what it holds again. */
    void conditionsChanged() {
        for (Boundary<?> b : boundaries) {
            b.signal();
        }
    }

    @Override
    public long rolledBack(Group group, long cutEpoch) {
        sendGate.closeAndDrain();
        try {
            // The group published its new epoch before calling participants, and no commit or send can take
            // an epoch until the gates open: everything of (cutEpoch, newEpoch) is in the boundaries' queues.
            long newEpoch = TxnSpi.currentEpoch(group);
            long discarded = 0;
            for (Boundary<?> b : boundaries) {
                discarded += b.discardRolledBack(cutEpoch, newEpoch);
            }
            return discarded;
        } finally {
            sendGate.open();
        }
    }
}
