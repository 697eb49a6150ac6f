package io.aurora4j.speculation;

import io.aurora4j.boundary.spi.BoundarySpi;
import io.aurora4j.notify.RollbackEvent;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.spi.ExtensionKey;
import io.aurora4j.txn.spi.RollbackParticipant;
import io.aurora4j.txn.spi.TxnSpi;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The speculation coordinator of one group: the chain of pending speculations, in begin order, and the
 * group's speculation hold on its boundaries.
 *
 * <h2>Design</h2>
 * A speculation is a pending checkpoint (Speculator, Nightingale et al., SOSP '05; Aurora §4). The chain is
 * a deque guarded by one {@link ReentrantLock} (never {@code synchronized}: {@link #fail} holds it across
 * {@link Group#rollback}, which waits for commits in flight). Beginning takes the checkpoint under the lock,
 * so chain order is checkpoint order. The hold is a release condition on the group's boundaries:
 * {@code holdFrom} is the epoch of the oldest pending speculation's checkpoint ({@code Long.MAX_VALUE} when
 * none is pending), so outputs of later epochs wait, and a confirmation that empties the head moves it.
 *
 * <p>Failing speculation {@code k} rolls the group back to {@code k}'s checkpoint, which undoes every later
 * speculation too: they are taken out of the chain with it and handled oldest first. The states are written
 * (volatile) before the rollback, so speculative transactions that the rollback aborts see the new state
 * when they re-run and throw instead of committing again.
 *
 * <p>A rollback the chain did not ask for (an explicit {@code group.rollback(cp)} to a checkpoint older than
 * a pending speculation) is seen by {@link #rolledBack}, the group's rollback participant: it runs under
 * the group's admin lock, so it must not take the chain lock (a {@code fail} holding the chain lock may be
 * waiting for that admin lock); it only flags the speculations of a lock-free snapshot, and a group rollback
 * listener settles them afterwards with the group's event.
 *
 * <p>One chain per group, kept in the group itself as its extension ({@code TxnSpi.extension}): created once,
 * on the first speculation, and gone with the group, with no global registry or lock. Thread-safe.
 */
final class Chain implements RollbackParticipant {
    private static final System.Logger LOG = System.getLogger(Chain.class.getName());
    private static final ExtensionKey<Chain> KEY = ExtensionKey.named("io.aurora4j.speculation chain");
    private static final Speculation[] NONE = new Speculation[0];
    private static final int KEPT_ROLLBACKS = 1024;

    final Group group;
    final String groupName;
    final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Speculation> pending = new ArrayDeque<>(); // guarded by lock, oldest first
    private long lastId; // guarded by lock
    /** The hold: outputs of epochs up to this one may go. Written under lock, read by release tasks. */
    private volatile long holdFrom = Long.MAX_VALUE;
    /** The pending speculations, for the rollback participant, which must not take the lock. */
    private volatile Speculation[] snapshot = NONE;
    /** Recent rollbacks of the group as (cut epoch, new epoch): work of an epoch strictly between was undone. */
    private final ConcurrentLinkedDeque<long[]> rollbacks = new ConcurrentLinkedDeque<>();
    private final AtomicInteger keptRollbacks = new AtomicInteger();
    private final BoundarySpi.Hold hold;

    private Chain(Group group) {
        this.group = group;
        this.groupName = group.name();
        this.hold = BoundarySpi.addReleaseCondition(group, () -> holdFrom);
        group.onRollback(this::settleExternalRollback);
    }

    /** The chain of {@code group}, created (and registered as its rollback participant) on first use. */
    static Chain of(Group group) {
        return TxnSpi.extension(group, KEY, Chain::create);
    }

    /** Runs once per group, through the group's extension slot. */
    private static Chain create(Group group) {
        Chain created = new Chain(group);
        TxnSpi.addRollbackParticipant(group, created); // fails for a closed group, naming it; nothing is kept then
        return created;
    }

    /** The chain of {@code group} if one was created, else null (nothing was ever speculated on it). */
    static Chain peek(Group group) {
        return TxnSpi.existingExtension(group, KEY);
    }

    Speculation begin() {
        if (TxnSpi.inTransaction(group)) {
            throw new IllegalStateException("Speculation.begin on group '" + groupName
                    + "' called inside a transaction of the group: begin outside any atomic scope");
        }
        lock.lock();
        try {
            if (pending.isEmpty()) {
                // Hold before the cut exists: a commit of the epoch the checkpoint opens must never find the
                // hold still open. The current epoch is at most the one the checkpoint will close.
                holdFrom = TxnSpi.currentEpoch(group);
            }
            // Pinned from the moment it exists, until the speculation settles: however many checkpoints the group
            // takes meanwhile (a durable group's 100 Hz ones included), fail() can always roll back to it.
            Checkpoint cp = TxnSpi.pinnedCheckpoint(group);
            Speculation s = new Speculation(this, ++lastId, cp, TxnSpi.epochOf(cp));
            pending.addLast(s);
            holdFrom = pending.peekFirst().epoch;
            publishSnapshot();
            if (!cp.isRetained()) { // a rollback to an older checkpoint ran between the cut and the snapshot
                s.externallyRolledBack = true;
            }
            return s;
        } catch (RuntimeException e) {
            holdFrom = pending.isEmpty() ? Long.MAX_VALUE : pending.peekFirst().epoch;
            throw e;
        } finally {
            lock.unlock();
        }
    }

    private void publishSnapshot() {
        snapshot = pending.isEmpty() ? NONE : pending.toArray(NONE);
    }

    /** Returns false if {@code s} is (or is being) rolled back. */
    boolean confirm(Speculation s) {
        List<Speculation> settled = null;
        lock.lock();
        try {
            if (s.state == Speculation.State.ROLLED_BACK || s.externallyRolledBack) {
                return false;
            }
            if (s.state == Speculation.State.CONFIRMED || s.confirmRequested) {
                return true;
            }
            s.confirmRequested = true;
            if (pending.peekFirst() == s) {
                settled = new ArrayList<>(2);
                while (!pending.isEmpty() && pending.peekFirst().confirmRequested) {
                    Speculation head = pending.pollFirst();
                    head.state = Speculation.State.CONFIRMED;
                    head.unpin(); // nothing will roll back to it now
                    settled.add(head);
                }
                holdFrom = pending.isEmpty() ? Long.MAX_VALUE : pending.peekFirst().epoch;
                publishSnapshot();
            }
        } finally {
            lock.unlock();
        }
        if (settled != null) {
            hold.changed(); // outputs of the confirmed prefix may go now
            for (Speculation c : settled) {
                c.confirmed();
            }
        }
        return true;
    }

    /** Returns false if {@code s} was already confirmed (or its confirmation requested) or rolled back. */
    boolean fail(Speculation s, Throwable cause) {
        List<Speculation> failed;
        RollbackEvent event;
        lock.lock();
        try {
            if (s.state != Speculation.State.PENDING || s.confirmRequested || s.externallyRolledBack) {
                return false;
            }
            if (TxnSpi.inTransaction(group)) {
                throw new IllegalStateException("fail of speculation #" + s.id + " of group '" + groupName
                        + "' called inside a transaction of the group: fail outside any atomic scope");
            }
            if (group.isClosed()) {
                throw new IllegalStateException("cannot roll back speculation #" + s.id + ": group '" + groupName + "' is closed");
            }
            if (!s.checkpoint.isRetained()) {
                // Pinned, so only a rollback of the group to an older checkpoint discards it: that rollback is under
                // way (its participant flags s next) and rolls s back; this fail is the loser, as after it.
                return false;
            }
            failed = new ArrayList<>(2);
            for (Iterator<Speculation> it = pending.descendingIterator(); it.hasNext(); ) {
                Speculation later = it.next();
                failed.add(0, later);
                it.remove();
                // Before the rollback: a speculative transaction it aborts re-runs, sees this and throws.
                later.state = Speculation.State.ROLLED_BACK;
                if (later == s) {
                    break;
                }
            }
            publishSnapshot();
            // holdFrom is left as it is until the rollback has discarded the held outputs of the failed branch.
            try {
                event = io.aurora4j.txn.spi.TxnSpi.rollback(group, s.checkpoint, cause, s); // the event names the speculation
            } finally {
                for (Speculation f : failed) {
                    f.restored = true; // the rollback is done: now it may be seen as rolled back
                    f.unpin();
                }
            }
            holdFrom = pending.isEmpty() ? Long.MAX_VALUE : pending.peekFirst().epoch;
        } finally {
            lock.unlock();
        }
        hold.changed();
        settleRolledBack(failed, s, cause, event);
        return true;
    }

    /** Outside the lock: cancel speculative work, then, once rollback-notify has delivered, run the handlers oldest first. */
    private void settleRolledBack(List<Speculation> failed, Speculation first, Throwable cause, RollbackEvent event) {
        List<SpeculationRollback> records = new ArrayList<>(failed.size());
        for (Speculation f : failed) {
            Throwable c = f == first ? cause : new SpeculationRolledBackException(groupName, f.id,
                    "speculation #" + f.id + " of group '" + groupName + "' was rolled back because the earlier speculation #"
                            + first.id + " failed", cause);
            records.add(new SpeculationRollback(f, c, event));
            f.cancelWork();
        }
        CompletableFuture<Void> delivered;
        try {
            delivered = group.notificationsDelivered();
        } catch (RuntimeException e) {
            delivered = CompletableFuture.completedFuture(null);
        }
        delivered.whenComplete((v, e) -> {
            Runnable settle = () -> {
                for (SpeculationRollback r : records) {
                    r.speculation().rolledBack(r);
                }
            };
            if (anyHandler(failed)) {
                Thread.ofVirtual().name("aurora4j-speculation-" + groupName).start(settle);
            } else {
                settle.run(); // no user code to run: complete the outcomes here, no thread needed
            }
        });
    }

    private boolean anyHandler(List<Speculation> failed) {
        lock.lock();
        try {
            for (Speculation f : failed) {
                if (f.hasHandlers()) {
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** The group's rollback participant: under the group's admin lock, so lock-free. */
    @Override
    public long rolledBack(Group g, long cutEpoch) {
        long newEpoch = TxnSpi.currentEpoch(g);
        rollbacks.addLast(new long[] {cutEpoch, newEpoch});
        if (keptRollbacks.incrementAndGet() > KEPT_ROLLBACKS) {
            rollbacks.pollFirst();
            keptRollbacks.decrementAndGet();
        }
        for (Speculation s : snapshot) {
            if (s.epoch > cutEpoch && s.state == Speculation.State.PENDING) {
                s.externallyRolledBack = true; // its checkpoint was undone; our own fail has already taken it out
            }
        }
        return 0;
    }

    /** A group rollback listener: settles the speculations a rollback we did not ask for undid. */
    private void settleExternalRollback(RollbackEvent event) {
        List<Speculation> failed = new ArrayList<>();
        lock.lock();
        try {
            for (Iterator<Speculation> it = pending.iterator(); it.hasNext(); ) {
                Speculation s = it.next();
                if (s.externallyRolledBack) {
                    it.remove();
                    s.restored = true; // the group's rollback restored state before telling its listeners
                    s.state = Speculation.State.ROLLED_BACK;
                    s.unpin(); // its checkpoint was discarded by that rollback: the pin holds nothing any more
                    failed.add(s);
                }
            }
            if (failed.isEmpty()) {
                return;
            }
            holdFrom = pending.isEmpty() ? Long.MAX_VALUE : pending.peekFirst().epoch;
            publishSnapshot();
        } finally {
            lock.unlock();
        }
        hold.changed();
        Speculation first = failed.get(0);
        Throwable cause = new SpeculationRolledBackException(groupName, first.id, "group '" + groupName + "' was rolled back to "
                + event.checkpoint().id() + ", before speculation #" + first.id + " began", event.cause());
        settleRolledBack(failed, first, cause, event);
    }

    /**
     * The fate of work that committed in {@code epoch}: rolled back if a recorded rollback undid it, else the
     * fate of the newest speculation pending that began before it, else confirmed.
     */
    CompletableFuture<Speculation.State> fateOf(long epoch) {
        lock.lock();
        try {
            for (long[] r : rollbacks) {
                if (r[0] < epoch && epoch < r[1]) {
                    return CompletableFuture.completedFuture(Speculation.State.ROLLED_BACK);
                }
            }
            for (Iterator<Speculation> it = pending.descendingIterator(); it.hasNext(); ) {
                Speculation s = it.next();
                if (s.epoch < epoch) {
                    return s.outcome();
                }
            }
            return CompletableFuture.completedFuture(Speculation.State.CONFIRMED);
        } finally {
            lock.unlock();
        }
    }

    /** The outcome of everything committed so far: that of the newest pending speculation, or confirmed. */
    CompletableFuture<Speculation.State> settled() {
        lock.lock();
        try {
            Speculation newest = pending.peekLast();
            return newest == null ? CompletableFuture.completedFuture(Speculation.State.CONFIRMED) : newest.outcome();
        } finally {
            lock.unlock();
        }
    }

    int pendingCount() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
    }

    static void logHandlerFailure(Speculation s, Throwable e) {
        LOG.log(System.Logger.Level.WARNING, "a rollback handler of speculation #" + s.id + " of group '"
                + s.chain.groupName + "' threw", e);
    }
}
