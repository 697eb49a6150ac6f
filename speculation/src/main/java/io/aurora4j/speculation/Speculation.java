package io.aurora4j.speculation;

import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.spi.CommitSink;
import io.aurora4j.txn.spi.TxnSpi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A speculation: the group goes on as if a reply were the one predicted, from a checkpoint kept pending
 * until the prediction is confirmed or fails (Aurora, HotOS '21, §4; Speculator, Nightingale et al.,
 * SOSP '05).
 *
 * <pre>{@code
 * Speculation s = Speculation.begin(bank);                   // a checkpoint, pending
 * s.onRollback(r -> conservativeCall(request));              // the conservative path
 * s.confirmWhen(client.callAsync(request), reply -> reply.equals(predicted));
 * s.atomic(() -> useTheReply(predicted));                    // speculative work; its outputs are held
 * }</pre>
 *
 * <h2>How it works</h2>
 * {@link #begin} takes a checkpoint of the group (O(1)) and appends the speculation to the group's
 * <em>chain</em> of pending speculations. While a speculation is pending, every output sent through an
 * {@code EXTERNAL} boundary of the group by work of a later epoch is held: the speculation is a release
 * condition on the group's boundaries. {@link #confirm()} lets the outputs go once every earlier
 * speculation of the chain is confirmed too. {@link #fail} rolls the group back to the checkpoint —
 * restoring every state object and discarding every held output of the failed branch — fails every later
 * speculation of the chain, cancels their speculative work, and, after {@code rollback-notify} has
 * delivered the group's {@link io.aurora4j.notify.RollbackEvent} to the group's listeners, runs their
 * rollback handlers, oldest speculation first.
 *
 * <h2>States</h2>
 * {@link State#CONFIRMED} and {@link State#ROLLED_BACK} are final. A speculation confirmed while an earlier
 * one is pending stays {@code PENDING} ("confirmation requested") until every earlier one is confirmed, and
 * is rolled back if one of them fails: its outputs are not released before then.
 * <table class="striped">
 *   <caption>What each operation does in each state</caption>
 *   <tr><th>operation</th><th>pending</th><th>pending, confirmation requested</th><th>confirmed</th><th>rolled back</th></tr>
 *   <tr><td>{@link #confirm()}</td><td>requests confirmation; confirms it (and every later one already
 *       requested) if no earlier one is pending; {@code true}</td><td>no effect; {@code true}</td>
 *       <td>no effect; {@code true}</td><td>no effect; {@code false}</td></tr>
 *   <tr><td>{@link #fail}</td><td>rolls back to its checkpoint, fails every later one; {@code true}</td>
 *       <td colspan="2">no effect (the first of confirm and fail wins); {@code false}</td><td>no effect; {@code false}</td></tr>
 *   <tr><td>{@link #confirmWhen}</td><td>confirms or fails when the stage completes</td>
 *       <td colspan="3">no effect when the stage completes (as {@code confirm}/{@code fail} above)</td></tr>
 *   <tr><td>{@link #run}</td><td colspan="2">starts the task on a virtual thread; cancelled if rolled back</td>
 *       <td>starts the task (nothing will cancel it)</td><td>does not start it; the future fails with
 *       {@link SpeculationRolledBackException}</td></tr>
 *   <tr><td>{@link #atomic(Runnable)}</td><td colspan="3">runs the body as a transaction of the group</td>
 *       <td>{@link SpeculationRolledBackException}; the body does not run</td></tr>
 *   <tr><td>{@link #onRollback}</td><td colspan="2">registers the handler</td><td>ignored: it will never run</td>
 *       <td>runs it at once on a virtual thread with the rollback record</td></tr>
 * </table>
 * A rollback handler that throws is logged (through {@code System.Logger}) and the other handlers still
 * run. {@code fail} throws {@link IllegalStateException} (and changes nothing) when called inside a
 * transaction of the group or when the group is closed. While pending, a speculation pins its checkpoint: the
 * group's later checkpoints never push it out of retention, so failing stays possible (memory held for the
 * changes made since then grows until the speculation settles).
 *
 * <h2>Other threads' work</h2>
 * A speculation is a property of the group, not of a thread: every transaction that commits on the group
 * after {@code begin} — on any thread, through {@link #atomic} or straight through {@code group.atomic} —
 * is speculative on it and on every earlier pending speculation. If one of them fails, that work is rolled
 * back with it and its held outputs are discarded; it had no visible effect outside the group. Callers
 * learn it by (a) committing through {@link #atomicTracked(Group, Supplier)}, whose future completes
 * {@code ROLLED_BACK} or {@code CONFIRMED}, (b) {@link #whenSettled(Group)}, or (c) the group's rollback
 * listeners ({@code group.onRollback}), which receive the event of each rollback. A finer rule that rolls
 * back only the work that depends on the speculation is left for later.
 *
 * <h2>Cancellation</h2>
 * {@link #run} starts speculative work on a virtual thread. When the speculation is rolled back, the thread
 * is interrupted and its next access to the group's state throws {@link SpeculationRolledBackException}:
 * {@link #atomic}, {@link #checkPending()}, and also {@code group.atomic} and single reads and writes of
 * the group's state objects (a txn-core access guard bound to the thread checks the speculation first); a
 * transaction that the rollback aborts in flight re-runs, is checked again and throws. Not intercepted: a
 * boundary send outside any transaction, and work on threads the task hands work to — they should call
 * {@link #checkPending()}.
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
public final class Speculation implements io.aurora4j.notify.SpeculationInfo {

    /** Where a speculation is. {@code CONFIRMED} and {@code ROLLED_BACK} are final. */
    public enum State {
        /** Neither confirmed (with every earlier speculation) nor rolled back yet: its outputs are held. */
        PENDING,
        /** Confirmed, and so is every earlier speculation of the chain: its outputs may be released. */
        CONFIRMED,
        /** Rolled back: the group went back to (or before) its checkpoint; its held outputs were discarded. */
        ROLLED_BACK
    }

    final Chain chain;
    final long id;
    final Checkpoint checkpoint;
    final long epoch;
    volatile State state = State.PENDING; // written under the chain lock
    /**
     * Set once the rollback that rolled this speculation back has restored the group's state. {@code state}
     * turns {@code ROLLED_BACK} before the rollback starts (so speculative attempts it aborts refuse to re-run)
     * but the speculation is seen as rolled back — {@link #state()}, refusals — only once this is set, so
     * nobody observes "rolled back" while the group still shows the speculative state.
     */
    volatile boolean restored;
    boolean confirmRequested; // guarded by the chain lock
    /** Whether this speculation still pins its checkpoint; guarded by the chain lock. */
    private boolean pinned = true;
    /** Set by the group's rollback participant when a rollback the chain did not ask for undid the checkpoint. */
    volatile boolean externallyRolledBack;
    private final CompletableFuture<State> outcome = new CompletableFuture<>();
    private final ConcurrentLinkedQueue<Thread> workers = new ConcurrentLinkedQueue<>();
    /**
     * Bound to the threads of {@link #run}: their accesses to this speculation's group (transaction begin,
     * single reads and writes) throw once it is rolled back. Two volatile reads while it is not.
     */
    private final io.aurora4j.txn.spi.AccessGuard guard = this::checkAccess;
    private List<Consumer<? super SpeculationRollback>> handlers; // guarded by the chain lock
    private SpeculationRollback rollback; // guarded by the chain lock; set when the handlers are dispatched

    /** The JFR event of this speculation, begun with it, committed when it settles. */
    private final SpeculationSettledEvent settledEvent = new SpeculationSettledEvent();

    Speculation(Chain chain, long id, Checkpoint checkpoint, long epoch) {
        settledEvent.begin();
        this.chain = chain;
        this.id = id;
        this.checkpoint = checkpoint;
        this.epoch = epoch;
    }

    /**
     * Takes a checkpoint of {@code group} and marks it pending: outputs of work committed from now on are
     * held until this speculation (and every earlier pending one) is confirmed.
     *
     * @throws IllegalStateException if the group is closed or a transaction of it runs on this thread
     */
    public static Speculation begin(Group group) {
        Objects.requireNonNull(group, "group");
        return Chain.of(group).begin();
    }

    /**
     * A future for everything committed on {@code group} so far: it completes {@code CONFIRMED} once every
     * speculation pending now is confirmed, {@code ROLLED_BACK} if one of them fails (after the rollback
     * handlers ran); at once {@code CONFIRMED} if none is pending. Work committed before this call and
     * already rolled back is not reported here: use {@link #atomicTracked} to learn the fate of one
     * transaction exactly.
     */
    public static CompletableFuture<State> whenSettled(Group group) {
        Objects.requireNonNull(group, "group");
        Chain c = Chain.peek(group);
        return c == null ? CompletableFuture.completedFuture(State.CONFIRMED) : c.settled().copy();
    }

    /** A value computed by a transaction, and the fate of that transaction under the group's speculations. */
    public record Tracked<R>(R value, CompletableFuture<State> outcome) {
    }

    /**
     * Runs {@code body} as a transaction of {@code group} ({@code group.atomic}) and reports whether it
     * stays: the outcome completes {@code CONFIRMED} once every speculation pending at its commit is
     * confirmed (at once if none), {@code ROLLED_BACK} if one of them fails or a rollback already undid it.
     * This is how a thread that is not speculating learns that its committed work was rolled back with
     * a speculation.
     */
    public static <R> Tracked<R> atomicTracked(Group group, Supplier<R> body) {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(body, "body");
        Chain c = Chain.of(group);
        long[] epochAtCommit = {-1};
        R value = group.atomic(() -> {
            TxnSpi.stage(group, EPOCH_SINK, epochAtCommit);
            return body.get();
        });
        long e = epochAtCommit[0];
        return new Tracked<>(value, c.fateOf(e).copy());
    }

    /** Records the commit's epoch in the staged holder; the group calls it at the commit point. */
    private static final CommitSink<long[]> EPOCH_SINK = (group, version, epoch, items) -> {
        for (long[] holder : items) {
            holder[0] = epoch;
        }
    };

    /** The speculation's id: 1, 2, 3, ... in begin order within its group. */
    @Override
    public long id() {
        return id;
    }

    /** The name of the group this speculation runs in. */
    @Override
    public String groupName() {
        return chain.groupName;
    }

    /** The group speculated on. */
    public Group group() {
        return chain.group;
    }

    /** The checkpoint the group goes back to if this speculation fails. */
    public Checkpoint checkpoint() {
        return checkpoint;
    }

    /**
     * The current state. A speculation being rolled back reads {@code PENDING} until the group's state is
     * restored: the rollback takes effect at once for everything that can observe it.
     */
    public State state() {
        State s = state;
        return s == State.ROLLED_BACK && !restored ? State.PENDING : s;
    }

    /**
     * A future completing with the final state: {@code CONFIRMED}, or {@code ROLLED_BACK} after this
     * speculation's rollback handlers have run. Completing it from outside has no effect on the
     * speculation (each call returns a new copy).
     */
    public CompletableFuture<State> outcome() {
        return outcome.copy();
    }

    /**
     * The prediction held. See the states table.
     *
     * @return {@code false} if the speculation is already rolled back
     */
    public boolean confirm() {
        return chain.confirm(this);
    }

    /**
     * The prediction failed: roll the group back to this speculation's checkpoint, fail every later
     * speculation, cancel speculative work, run the handlers. See the states table.
     *
     * @return {@code true} if this call rolled the speculation back
     * @throws IllegalStateException (changing nothing) inside a transaction of the group, or if the group is
     *                               closed
     */
    public boolean fail(Throwable cause) {
        Objects.requireNonNull(cause, "cause");
        return chain.fail(this, cause);
    }

    /** {@link #confirmWhen(CompletionStage, Predicate, Duration)} without a deadline. */
    public <T> Speculation confirmWhen(CompletionStage<T> stage, Predicate<? super T> predicate) {
        return confirmWhen(stage, predicate, null);
    }

    /**
     * Confirms when {@code stage} completes with a value the predicate accepts; fails with a
     * {@link MispredictionException} when it rejects it, with the stage's exception when it fails (or the
     * predicate throws), and with a {@link TimeoutException} if nothing arrived within {@code deadline}
     * ({@code null}: none). Settling runs on the thread that completes the stage (or the JDK's delay
     * scheduler for the deadline); a failure there that cannot roll back is logged.
     */
    public <T> Speculation confirmWhen(CompletionStage<T> stage, Predicate<? super T> predicate, Duration deadline) {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(predicate, "predicate");
        CompletableFuture<T> f = stage.toCompletableFuture();
        if (deadline != null) {
            f = f.copy().orTimeout(deadline.toNanos(), TimeUnit.NANOSECONDS);
        }
        f.whenComplete((reply, error) -> {
            try {
                if (error != null) {
                    Throwable cause = unwrap(error);
                    if (cause instanceof TimeoutException) {
                        cause = new TimeoutException("no reply within " + deadline + " for speculation #" + id
                                + " of group '" + chain.groupName + "'");
                    }
                    fail(cause);
                } else if (predicate.test(reply)) {
                    confirm();
                } else {
                    fail(MispredictionException.of(this, reply));
                }
            } catch (RuntimeException e) {
                try {
                    fail(e);
                } catch (RuntimeException again) {
                    Chain.logHandlerFailure(this, again);
                }
            }
        });
        return this;
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * Runs speculative work on a new virtual thread. If the speculation is rolled back, the thread is
     * interrupted and its next access to the group's state (a transaction, a single read or write) throws
     * {@link SpeculationRolledBackException}; the returned future then fails with
     * {@link SpeculationRolledBackException} (or completes normally if the task finished first). If the
     * speculation is already rolled back the task does not start.
     */
    public CompletableFuture<Void> run(Runnable task) {
        Objects.requireNonNull(task, "task");
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (state == State.ROLLED_BACK) {
            awaitRestored();
            done.completeExceptionally(rolledBack("run"));
            return done;
        }
        Thread t = Thread.ofVirtual().name("aurora4j-speculation-" + chain.groupName + "-" + id).unstarted(() -> {
            try {
                checkPending();
                TxnSpi.runGuarded(guard, task); // every group access of the task checks this speculation first
                if (state == State.ROLLED_BACK) {
                    done.completeExceptionally(rolledBack("run"));
                } else {
                    done.complete(null);
                }
            } catch (Throwable e) {
                done.completeExceptionally(state == State.ROLLED_BACK && !(e instanceof SpeculationRolledBackException)
                        ? rolledBack("run") : e);
            } finally {
                workers.remove(Thread.currentThread());
            }
        });
        workers.add(t);
        t.start();
        if (state == State.ROLLED_BACK) { // rolled back while we registered: the canceller may have missed it
            t.interrupt();
        }
        return done;
    }

    /**
     * Runs {@code body} as a transaction of the group, refusing if the speculation is rolled back: checked
     * before the transaction and again at the start of every attempt, so an attempt that a rollback of this
     * speculation aborts re-runs and throws instead of committing on the restored state.
     *
     * @throws SpeculationRolledBackException if the speculation is rolled back
     */
    public void atomic(Runnable body) {
        Objects.requireNonNull(body, "body");
        checkPending();
        chain.group.atomic(() -> {
            checkPending();
            body.run();
        });
    }

    /** As {@link #atomic(Runnable)}, returning the body's result. */
    public <R> R atomic(Supplier<R> body) {
        Objects.requireNonNull(body, "body");
        checkPending();
        return chain.group.atomic(() -> {
            checkPending();
            return body.get();
        });
    }

    /**
     * Throws {@link SpeculationRolledBackException} if the speculation is rolled back (or its checkpoint was
     * undone by a rollback of the group); speculative code may call it between steps.
     */
    public void checkPending() {
        if (state == State.ROLLED_BACK || externallyRolledBack) {
            awaitRestored();
            throw rolledBack("access");
        }
    }

    /** The {@link #guard}: refuses an access to this speculation's group once it is rolled back. */
    private void checkAccess(Group g) {
        if (g == chain.group) {
            checkPending();
        }
    }

    /**
     * A rollback of this speculation is under way: wait (briefly: a rollback costs O(what changed)) until it
     * has restored the group, so that a refusal is never observed before the state it refuses went back.
     * Never called under a lock the rollback needs: the rollback waits only for commits in flight.
     */
    private void awaitRestored() {
        while (!restored && !externallyRolledBack) {
            Thread.onSpinWait();
        }
    }

    private SpeculationRolledBackException rolledBack(String what) {
        return new SpeculationRolledBackException(chain.groupName, id, "speculation #" + id + " of group '" + chain.groupName
                + "' was rolled back: its speculative " + what + " is cancelled", null);
    }

    /**
     * Registers the conservative path: run once, on a virtual thread, if this speculation is rolled back,
     * after the group's rollback listeners have been notified; handlers of the speculations one rollback
     * failed run oldest speculation first, each speculation's in registration order. See the states table.
     */
    public Speculation onRollback(Consumer<? super SpeculationRollback> handler) {
        Objects.requireNonNull(handler, "handler");
        SpeculationRollback now = null;
        chain.lock.lock();
        try {
            if (rollback != null) {
                now = rollback;
            } else if (state != State.CONFIRMED) {
                if (handlers == null) {
                    handlers = new ArrayList<>(2);
                }
                handlers.add(handler);
            }
        } finally {
            chain.lock.unlock();
        }
        if (now != null) {
            SpeculationRollback r = now;
            Thread.ofVirtual().name("aurora4j-speculation-" + chain.groupName + "-" + id).start(() -> runHandler(handler, r));
        }
        return this;
    }

    private void runHandler(Consumer<? super SpeculationRollback> h, SpeculationRollback r) {
        try {
            h.accept(r);
        } catch (Throwable e) {
            if (e instanceof VirtualMachineError fatal) {
                throw fatal;
            }
            Chain.logHandlerFailure(this, e);
        }
    }

    /** Whether rollback handlers are registered; under the chain lock. */
    boolean hasHandlers() {
        return handlers != null && !handlers.isEmpty();
    }

    /** Chain lock held, when the speculation leaves the chain: drops the pin on its checkpoint (once). */
    void unpin() {
        if (pinned) {
            pinned = false;
            TxnSpi.unpin(checkpoint); // of a closed group too: it only counts down
        }
    }

    /** Called once by the chain, outside its lock, when confirmed with every earlier speculation. */
    void confirmed() {
        chain.lock.lock();
        try {
            handlers = null;
        } finally {
            chain.lock.unlock();
        }
        workers.clear();
        settledEvent.settled(chain.groupName, id, checkpoint.id(), "CONFIRMED");
        outcome.complete(State.CONFIRMED);
    }

    /** Called once by the chain after it was rolled back: interrupts the speculative threads. */
    void cancelWork() {
        for (Thread t : workers) {
            t.interrupt();
        }
    }

    /** Called once by the chain, on the handler thread, after rollback-notify delivered the event. */
    void rolledBack(SpeculationRollback r) {
        List<Consumer<? super SpeculationRollback>> toRun;
        chain.lock.lock();
        try {
            rollback = r;
            toRun = handlers;
            handlers = null;
        } finally {
            chain.lock.unlock();
        }
        if (toRun != null) {
            for (Consumer<? super SpeculationRollback> h : toRun) {
                runHandler(h, r);
            }
        }
        settledEvent.settled(chain.groupName, id, checkpoint.id(), "ROLLED_BACK");
        outcome.complete(State.ROLLED_BACK);
    }

    @Override
    public String toString() {
        return "speculation #" + id + " of group '" + chain.groupName + "' (" + state + ", from " + checkpoint + ")";
    }
}
