package io.aurora4j.txn;

import io.aurora4j.notify.ListenerErrorHandler;
import io.aurora4j.notify.Registration;
import io.aurora4j.notify.RollbackEvent;
import io.aurora4j.notify.RollbackListener;
import io.aurora4j.notify.RollbackNotifier;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.spi.StoredState;
import io.aurora4j.txn.spi.RollbackParticipant;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One job: the rollback and restore sequence of a group — a recovery's restore from the store, and a rollback:
 * close the commit gate, discard later checkpoints, put the
 * pre-images back under the boxes' locks, discard objects created since, reopen an epoch, tell the participants,
 * and publish the event (also the restore event of a recovery) to the group's listeners, in rollback order.
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

    /**
     * Null {@code executor} or {@code errorHandler}: the notifier's defaults; {@code restoreListeners} (made for this
     * group, in the order the builder was given them) hear the restore too.
     */
    RollbackSequence(Group group, EpochTimeline timeline, ObjectRegistry registry, Consumer<Throwable> hookFailures,
                     Executor executor, ListenerErrorHandler errorHandler,
                     List<Function<Group, RollbackListener>> restoreListeners) {
        this.group = group;
        this.timeline = timeline;
        this.registry = registry;
        this.hookFailures = hookFailures;
        RollbackNotifier.Builder nb = RollbackNotifier.builder(group.name());
        if (executor != null) {
            nb.executor(executor);
        }
        if (errorHandler != null) {
            nb.errorHandler(errorHandler);
        }
        this.notifier = nb.build();
        for (Function<Group, RollbackListener> l : restoreListeners) {
            notifier.register(l.apply(group));
        }
    }

    Registration register(RollbackListener listener) {
        return notifier.register(listener);
    }

    CompletableFuture<Void> delivered() {
        return notifier.delivered();
    }

    /** Admin lock held, the group closed: a rollback that completed publishes its event before the notifier closes. */
    void closeNotifier() {
        timeline.publishing.lock();
        try {
            notifier.close();
        } finally {
            timeline.publishing.unlock();
        }
    }

    /** See {@link Group#rollback(Checkpoint, Throwable)}; a {@link RollbackCause.SpeculationFailed} names its speculation. */
    RollbackEvent rollback(Checkpoint checkpoint, RollbackCause cause) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(cause, "cause");
        if (checkpoint.group() != group) {
            throw new IllegalArgumentException(checkpoint + " does not belong to group '" + group.name() + "'");
        }
        Txn t = Txn.current();
        if (t.active) {
            throw new IllegalStateException("rollback of group '" + group.name() + "' called inside a transaction of group '"
                    + t.group.name() + "': roll back from outside any atomic scope");
        }
        RollbackEvent event;
        Jfr.RollbackEvent jfr = new Jfr.RollbackEvent();
        jfr.begin();
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
                group.retryWaiters.wakeIfAny(); // issue #13: waiters re-run against the restored state
            }
            for (TMap.Cell cell : emptied) {
                cell.map.tryPurge(cell);
            }
            long sequence = timeline.nextRollbackNumber();
            RollbackEvent.Builder eb = RollbackEvent.builder(group.name(), sequence, checkpoint,
                            EventCauses.toEvent(group, sequence, cause))
                    .duration(Duration.ofNanos(System.nanoTime() - started))
                    .restoredObjects(restored)
                    .discardedCheckpoints(discardedCheckpoints)
                    .discardedOutputs(discardedOutputs);
            if (cause instanceof RollbackCause.SpeculationFailed s) {
                eb.speculation(s.speculation());
            }
            event = eb.build();
            // Hand over from the admin lock to the publish lock: events are published in rollback order,
            // but no listener (on a direct executor) ever runs while the admin lock is held.
            timeline.publishing.lock();
        } finally {
            timeline.admin.unlock();
        }
        publishLocked(event);
        group.counters.rollbackLatency.record(event.duration().toNanos());
        if (jfr.shouldCommit()) {
            jfr.group = group.name();
            jfr.checkpointId = checkpoint.id();
            jfr.sequence = event.sequence();
            jfr.restoredObjects = event.restoredObjects();
            jfr.discardedCheckpoints = event.discardedCheckpoints();
            jfr.cause = String.valueOf(event.cause());
            jfr.commit();
        }
        return event;
    }

    /**
     * Recovers a durable group, before anyone else can use it: every object of the store's last durable checkpoint
     * (reusing {@code alreadyRead} if it is that one), then the group's first checkpoint (the stored one's id, already
     * durable) and the flusher, and the restore event. A store without a checkpoint starts the group empty, with a first
     * checkpoint to be written in full. If recovery fails, the group is closed, and so is the store.
     */
    void restoreFromStore(StoreDurability sd, StoredState alreadyRead) {
        Jfr.RecoveryEvent recovery = new Jfr.RecoveryEvent();
        recovery.begin();
        StoredState state;
        try {
            state = sd.lastDurableState(alreadyRead);
            if (state != null) {
                ObjectFormat.restoreAll(group, state, sd.codecs(), sd.store.describe());
            }
        } catch (RuntimeException | Error e) {
            group.closed = true;
            notifier.close();
            sd.store.close();
            throw e;
        }
        StoredCheckpoint recovered = state == null ? null : state.checkpoint();
        if (recovered != null) {
            timeline.continueFrom(recovered.id()); // the restored state is the stored checkpoint: same id
        }
        Checkpoint first = timeline.take(recovered == null ? null : recovered.label(), false, false);
        sd.start(first, recovered);
        if (recovery.shouldCommit()) {
            recovery.group = group.name();
            recovery.checkpointId = recovered == null ? -1 : recovered.id();
            recovery.objects = registry.size();
            recovery.storedCheckpoints = sd.store.checkpoints().size();
            io.aurora4j.store.RecoveryReport report = sd.store.recovery();
            recovery.segmentsScanned = report.segmentsScanned();
            recovery.bytesScanned = report.bytesScanned();
            recovery.recordsChecked = report.recordsChecked();
            recovery.findings = report.findings().size();
            recovery.report = report.toString();
            recovery.commit();
        }
        if (recovered != null) {
            publishRestore(first, new RollbackCause.RestoredFromStore(sd.store.describe(), recovered.id()));
        }
    }

    /** The restore event of a recovery: the group now holds {@code first}, the store's last durable checkpoint. */
    private void publishRestore(Checkpoint first, RollbackCause cause) {
        RollbackEvent event;
        timeline.admin.lock();
        try {
            long sequence = timeline.nextRollbackNumber();
            event = RollbackEvent.builder(group.name(), sequence, first, EventCauses.toEvent(group, sequence, cause))
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
        // One pass per pre-image: lock its box (as a commit would), restore it and pop its history. Boxes stay locked
        // until every one is restored, and the clock moves only after that, so no reader sees a mix of restored and
        // unrestored values: a reader meets either the value from before the rollback (box not yet locked) or a lock
        // (waits), and a restored value only with the new version, above the snapshot of every transaction that
        // could have read a box before it was locked; such a transaction extends, and its validation finds that box
        // changed. The gate is closed and drained: no commit holds or takes a box lock meanwhile.
        List<VBox> locked = new ArrayList<>();
        for (Epoch e : undone) { // newest epoch first: the last value restored is the oldest pre-image
            UndoEntry u = e.takeUndoList();
            int popped = 0;
            for (; u != null; u = u.nextInEpoch) {
                VBox box = u.box;
                long m = box.lvMeta();
                if ((m & VBox.LOCKED) == 0) {
                    box.soMeta(m | VBox.LOCKED);
                    locked.add(box);
                }
                box.restore(u);
                box.popHistory(u);
                popped++;
                if (u.oldRef == TMap.ABSENT) {
                    emptied.add((TMap.Cell) box);
                }
            }
            timeline.countPreImages(-popped);
        }
        long version = group.tick(); // after every lock: a transaction that begins from here waits for the restored values
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
