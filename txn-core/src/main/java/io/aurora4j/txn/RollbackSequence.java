package io.aurora4j.txn;

import io.aurora4j.notify.RollbackEvent;
import io.aurora4j.notify.RollbackNotifier;
import io.aurora4j.notify.SpeculationInfo;
import io.aurora4j.txn.spi.RollbackParticipant;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One job: the rollback and restore sequence of a group — close the commit gate, discard later checkpoints, put the
 * pre-images back under the boxes' locks, discard objects created since, reopen an epoch, tell the participants,
 * and publish the event (also the restore event of a recovery) in rollback order.
 *
 * <p>Thread-safe: a rollback runs under the timeline's admin lock; events are published under its publishing lock,
 * taken before the admin lock is released.
 */
final class RollbackSequence {
    private final Group group;
    private final EpochTimeline timeline;
    private final ObjectRegistry registry;
    private final RollbackNotifier notifier;
    private final Consumer<Throwable> hookFailures;
    final CopyOnWriteArrayList<RollbackParticipant> participants = new CopyOnWriteArrayList<>();

    RollbackSequence(Group group, EpochTimeline timeline, ObjectRegistry registry, RollbackNotifier notifier,
                     Consumer<Throwable> hookFailures) {
        this.group = group;
        this.timeline = timeline;
        this.registry = registry;
        this.notifier = notifier;
        this.hookFailures = hookFailures;
    }

    /** See {@link Group#rollback(Checkpoint, Throwable)}; {@code speculation} may be null. */
    RollbackEvent rollback(Checkpoint checkpoint, Throwable cause, SpeculationInfo speculation) {
        RollbackEvent event;
        timeline.admin.lock();
        try {
            group.checkOpen();
            checkpoint.checkRetained();
            long started = System.nanoTime();
            group.gate.closeAndDrain();
            long restored;
            int discardedCheckpoints;
            long discardedOutputs = 0;
            List<TMap.Cell> emptied = new ArrayList<>();
            try {
                discardedCheckpoints = timeline.discardAfter(checkpoint); // every transaction in flight fails from here
                restored = restoreTo(checkpoint, emptied);
                timeline.reopenAt(checkpoint);
                for (RollbackParticipant p : participants) {
                    try {
                        discardedOutputs += p.rolledBack(group, checkpoint.closedEpoch.number);
                    } catch (Throwable e) {
                        hookFailures.accept(e);
                    }
                }
            } finally {
                group.gate.open();
            }
            for (TMap.Cell cell : emptied) {
                cell.map.tryPurge(cell);
            }
            RollbackEvent.Builder eb = RollbackEvent.builder(group.name(), timeline.nextRollbackNumber(), checkpoint, cause)
                    .duration(Duration.ofNanos(System.nanoTime() - started))
                    .restoredObjects(restored)
                    .discardedCheckpoints(discardedCheckpoints)
                    .discardedOutputs(discardedOutputs);
            if (speculation != null) {
                eb.speculation(speculation);
            }
            event = eb.build();
            // Hand over from the admin lock to the publish lock: events are published in rollback order,
            // but no listener (on a direct executor) ever runs while the admin lock is held.
            timeline.publishing.lock();
        } finally {
            timeline.admin.unlock();
        }
        publishLocked(event);
        return event;
    }

    /** The restore event of a recovery: the group now holds {@code first}, the store's last durable checkpoint. */
    void publishRestore(Checkpoint first, Throwable cause) {
        RollbackEvent event;
        timeline.admin.lock();
        try {
            event = RollbackEvent.builder(group.name(), timeline.nextRollbackNumber(), first, cause)
                    .restoredObjects(registry.size())
                    .build();
            timeline.publishing.lock();
        } finally {
            timeline.admin.unlock();
        }
        publishLocked(event);
    }

    private void publishLocked(RollbackEvent event) {
        try {
            notifier.publish(event);
        } finally {
            timeline.publishing.unlock();
        }
    }

    /** Gate closed and drained, admin lock held. Returns the number of distinct objects restored. */
    private long restoreTo(Checkpoint checkpoint, List<TMap.Cell> emptied) {
        Epoch stop = checkpoint.closedEpoch;
        List<Epoch> undone = new ArrayList<>();
        for (Epoch e = group.currentEpoch; e != stop; e = e.previous) {
            undone.add(e); // newest first
        }
        // Lock everything first, as a commit would, so no reader can see a mix of restored and unrestored values.
        List<VBox> locked = new ArrayList<>();
        for (Epoch e : undone) {
            for (UndoEntry u = e.undoList(); u != null; u = u.nextInEpoch) {
                long m = u.box.lvMeta();
                if ((m & VBox.LOCKED) == 0) {
                    u.box.soMeta(m | VBox.LOCKED);
                    locked.add(u.box);
                }
            }
        }
        long version = group.tick();
        for (Epoch e : undone) { // newest epoch first: the last value restored is the oldest pre-image
            UndoEntry u = e.takeUndoList();
            int popped = 0;
            for (; u != null; u = u.nextInEpoch) {
                u.box.restore(u);
                u.box.popHistory(u);
                popped++;
                if (u.oldRef == TMap.ABSENT) {
                    emptied.add((TMap.Cell) u.box);
                }
            }
            timeline.countPreImages(-popped);
        }
        for (Epoch e : undone) { // before unlocking, so no reader sees a discarded object's restored value
            for (StateObject o : e.created) {
                registry.remove(o);
                StateObjects.discard(o, version);
            }
            e.created.clear();
        }
        long published = version << 2;
        for (VBox b : locked) {
            if ((b.lvMeta() & VBox.DEAD) == 0) {
                b.soMeta(published);
            }
        }
        return locked.size();
    }
}
