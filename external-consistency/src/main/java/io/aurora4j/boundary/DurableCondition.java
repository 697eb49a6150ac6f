package io.aurora4j.boundary;

import io.aurora4j.store.StoreFailedException;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.spi.TxnSpi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The release condition of a durable group (ARCHITECTURE.md invariants 5 and 7): an output of epoch {@code e}
 * is releasable only once the checkpoint that closed {@code e} is durable, i.e. {@code e <= durableEpoch}.
 * Rethink the Sync's rule ("an output waits for the state that caused it to be on disk"), applied per
 * checkpoint as Aurora does: outputs of one checkpoint period are released together when its flush has been
 * forced, so one {@code fsync} covers every output of the period.
 *
 * <h2>Design</h2>
 * <ul>
 *   <li><b>The watermark</b> is {@link TxnSpi#durableEpoch}, read afresh at every release decision, and kept in
 *       {@link #floor} (the highest value ever read, so it only grows). Before the group's first checkpoint is
 *       durable it is {@code -1}: nothing is released.</li>
 *   <li><b>Prompt release, no polling.</b> The condition registers with {@link TxnSpi#onDurable}: the group's
 *       flusher calls it after each checkpoint becomes durable, and it wakes every boundary of the group
 *       ({@link GroupOutputs#conditionsChanged()}). The listener only schedules release tasks; it never calls a
 *       sink on the flusher thread.</li>
 *   <li><b>Epochs in which nothing changed.</b> The flusher takes a checkpoint only when state changed in the
 *       current epoch. Outputs of a read-only transaction, or sent outside any transaction, may belong to an
 *       epoch without a single write, which the flusher would never close. When a boundary reports that it
 *       holds outputs of the still-open epoch ({@link #awaiting}), this condition arranges, once per epoch,
 *       a check one default period ({@value #CLOSE_DELAY_MILLIS} ms) later: if that epoch is still open then,
 *       it takes a checkpoint, which the flusher writes at its next round. In a group that changes state in
 *       the epoch the flusher has closed it by then and the check does nothing. The delay is a constant because
 *       the SPI does not expose the group's period; a group with a longer period may therefore see more
 *       (cheap, O(1)) checkpoints while outputs wait, never an earlier release.</li>
 *   <li><b>Store failure: fail closed.</b> Once the store has failed ({@link TxnSpi#durableEpoch} is
 *       {@code -1}), {@link #floor} keeps the last durable epoch: outputs it covers are still released (their
 *       state is on disk), and outputs of later epochs can never be. The boundaries hand those to their
 *       dead-letter handler with the store's failure as the cause, without calling the sink, so that a flush
 *       does not wait forever and the application learns the outcome; and an {@code EXTERNAL} send fails at
 *       once. See {@link Boundary}.</li>
 * </ul>
 *
 * <p>Thread-safe: {@link #releasableThrough()} is called by release tasks on any thread, {@link #changed()}
 * on the group's flusher thread.
 */
final class DurableCondition implements ReleaseCondition {
    /** Aurora's (and a durable group's default) checkpoint period. */
    static final long CLOSE_DELAY_MILLIS = 10;
    private static final Executor CLOSER = CompletableFuture.delayedExecutor(CLOSE_DELAY_MILLIS, TimeUnit.MILLISECONDS,
            task -> Thread.ofVirtual().name("aurora4j-boundary-close-epoch").start(task));
    private static final VarHandle FLOOR;
    private static final VarHandle CLOSE_REQUESTED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            FLOOR = l.findVarHandle(DurableCondition.class, "floor", long.class);
            CLOSE_REQUESTED = l.findVarHandle(DurableCondition.class, "closeRequested", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Group group;
    private final GroupOutputs outputs;
    /** The highest durable epoch seen; only grows (casFloor). */
    @SuppressWarnings("unused") // through FLOOR
    private volatile long floor = -1;
    /** The newest epoch for which a close was arranged (cas), so that one epoch gets one timer. */
    @SuppressWarnings("unused") // through CLOSE_REQUESTED
    private volatile long closeRequested = -1;
    /** Set once, by the failure notification (or at start, for a group whose store had already failed). */
    private volatile StoreFailedException failure;

    DurableCondition(Group group, GroupOutputs outputs) {
        this.group = group;
        this.outputs = outputs;
    }

    /** Starts listening to the group's flusher. Called once, after the coordinator is registered. */
    void start() {
        // The listener is registered before the first read: a checkpoint made durable in between is seen by the
        // read, and one made durable after it by the listener.
        TxnSpi.onDurable(group, this::changed);
        changed();
    }

    /** Called by the flusher after a checkpoint became durable, and once when the store failed. */
    private void changed() {
        raiseFloor(TxnSpi.durableEpoch(group));
        if (failure == null && TxnSpi.durabilityFailed(group)) {
            failure = storeFailure(); // the group has failed every pending checkpoint by now: the cause is there
        }
        outputs.conditionsChanged();
    }

    @Override
    public long releasableThrough() {
        return raiseFloor(TxnSpi.durableEpoch(group));
    }

    /** {@link Long#MAX_VALUE} while the store works; after a failure, the last durable epoch. */
    long releasableAtMost() {
        return failure() == null ? Long.MAX_VALUE : (long) FLOOR.getVolatile(this);
    }

    /**
     * The store's failure, or null while it works. Asks the group too, not only the failure notification: the
     * flusher marks the store failed before it notifies, and a send in between must already fail.
     */
    StoreFailedException failure() {
        StoreFailedException f = failure;
        if (f == null && TxnSpi.durabilityFailed(group)) {
            f = storeFailure();
            if (f.getCause() != null) {
                failure = f; // racing writers write equivalent values
            }
        }
        return f;
    }

    /**
     * A boundary holds outputs of epochs up to {@code epoch}. If that epoch is not durable and still open, make
     * sure some checkpoint closes it (see the class comment); at most one timer per epoch.
     */
    void awaiting(long epoch) {
        if (failure() != null || epoch <= (long) FLOOR.getVolatile(this)) {
            return;
        }
        long requested = (long) CLOSE_REQUESTED.getVolatile(this);
        if (epoch <= requested || epoch < TxnSpi.currentEpoch(group)) {
            return; // already arranged, or a checkpoint has closed the epoch: the flusher will write it
        }
        if (!CLOSE_REQUESTED.compareAndSet(this, requested, epoch)) {
            return; // another boundary arranged it (for this epoch or a newer one)
        }
        // Side effects only after the CAS has won.
        try {
            CLOSER.execute(() -> closeIfStillOpen(epoch));
        } catch (RuntimeException rejected) {
            CLOSE_REQUESTED.compareAndSet(this, epoch, requested); // let a later release task try again
        }
    }

    private void closeIfStillOpen(long epoch) {
        if (group.isClosed() || failure() != null || TxnSpi.currentEpoch(group) > epoch) {
            return;
        }
        try {
            group.checkpoint(); // closes the epoch; the flusher writes it at its next round and then wakes us
        } catch (IllegalStateException closed) {
            // the group closed meanwhile: its last flush has written what it could
        }
    }

    private long raiseFloor(long durable) {
        for (;;) {
            long f = (long) FLOOR.getVolatile(this);
            // A negative reading is "none yet" or "failed": never lower the floor (what was durable stays durable).
            if (durable <= f) {
                return f;
            }
            if (FLOOR.compareAndSet(this, f, durable)) {
                return durable;
            }
        }
    }

    /** The store failure, as every not-yet-durable checkpoint of the group reports it. */
    private StoreFailedException storeFailure() {
        try {
            List<Checkpoint> history = group.history();
            for (int i = history.size() - 1; i >= 0; i--) {
                CompletableFuture<Checkpoint> durable = history.get(i).durable();
                if (durable.isCompletedExceptionally()) {
                    Throwable e = durable.handle((cp, err) -> err).join();
                    if (e instanceof CompletionException && e.getCause() != null) {
                        e = e.getCause();
                    }
                    if (e instanceof StoreFailedException sfe) {
                        return sfe;
                    }
                    return new StoreFailedException("the durable store of group '" + group.name() + "' failed", e);
                }
            }
        } catch (RuntimeException ignored) {
            // the group is closed: fall through to a failure without the store's cause
        }
        return new StoreFailedException("the durable store of group '" + group.name() + "' failed", null);
    }
}
