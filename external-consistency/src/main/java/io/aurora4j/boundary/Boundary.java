package io.aurora4j.boundary;

import io.aurora4j.store.StoreFailedException;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.spi.CommitSink;
import io.aurora4j.txn.spi.TxnSpi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * A channel from a {@link Group} to the outside world that, in {@link Mode#EXTERNAL EXTERNAL} mode, lets an
 * output out only once the work that produced it can no longer be undone: Aurora's external consistency,
 * after Rethink the Sync (Nightingale et al., OSDI '06). Re-running a transaction body, or rolling the group
 * back, is safe because nothing the undone work sent has left.
 *
 * {@snippet :
 * Boundary<String> ledger = Boundary.external(bank, "ledger", System.out::println);
 * bank.atomic(() -> {
 *     alice.add(-10);
 *     bob.add(10);
 *     ledger.send("alice -> bob: 10");   // printed after the transaction commits; never if it rolls back
 * });
 * }
 *
 * <h2>The rules</h2>
 * <ul>
 *   <li><b>Inside a transaction</b> of the boundary's group, {@code send} stages the output with the
 *       transaction. It reaches the boundary's queue at the commit point, under the commit's locks, tagged
 *       with the commit's epoch; if the attempt (or the nested transaction that sent it) rolls back, or
 *       conflicts and re-runs, the output is dropped and never counted as sent.</li>
 *   <li><b>Outside any transaction</b> of the group, {@code send} is its own tiny piece of work: the output
 *       is queued at once, tagged with the group's current epoch (the epoch a transaction committing at that
 *       instant would get).</li>
 *   <li><b>Release</b>: an output is releasable when its epoch is at most the group's watermark: the epochs
 *       that can no longer be undone by a pending speculation and, in a durable group, are covered by a
 *       durable checkpoint. An in-memory group without speculation holds nothing back: an output is
 *       releasable as soon as it is queued, that is, as soon as its transaction committed.</li>
 *   <li><b>Durable groups</b> (a group opened with a store): an output waits, in addition, until the checkpoint
 *       that contains the work that produced it is durable (the group's flusher takes and writes one every
 *       period; {@code group.barrier()} forces one). The flusher wakes the boundary as soon as a checkpoint is
 *       on disk: outputs of one period leave together, after one {@code fsync}. So a client that hears about
 *       a write through an {@code EXTERNAL} boundary is told only of writes that survive a crash. If the
 *       group's store fails (a write or force fails) it fails closed: outputs its last durable checkpoint
 *       covers are still released; every later one is <em>never</em> released: it goes to the
 *       {@link DeadLetterHandler} without the sink being called, with the store's
 *       {@link io.aurora4j.store.StoreFailedException} as its only failure (so the pending {@code flush()}
 *       futures fail with {@link UndeliveredOutputsException} instead of waiting forever), and later
 *       {@code EXTERNAL} sends fail at once with a {@code StoreFailedException} (inside a transaction, that
 *       rolls the transaction back). {@code IMMEDIATE} boundaries are not affected.</li>
 *   <li><b>Rollback</b> of the group to a checkpoint discards every output still held whose epoch is after
 *       the checkpoint, and the count is the {@code RollbackEvent}'s {@code discardedOutputs()} (summed over
 *       the group's boundaries). An output already released stays released: it came from committed work
 *       that nothing held back. An explicit {@code group.rollback(cp)} is therefore not a recall: to keep
 *       outputs of a stretch of work undeliverable until you decide, make that work speculative.</li>
 *   <li><b>Order</b>: outputs are delivered in queue order: per boundary, transactions in commit order
 *       (two conflicting transactions in their serialization order; non-conflicting ones in either order,
 *       which is a valid serial order), a transaction's outputs in the order it sent them, and sends from one
 *       thread in program order. Release is a prefix: an output that may not go yet holds back those after
 *       it.</li>
 *   <li><b>At most once</b>: an output is handed to the sink by one release task; it is tried again only as
 *       the {@link RetryPolicy} says, and is then either delivered or dead-lettered, never both.</li>
 * </ul>
 * A boundary of group A used inside a transaction of another group B is outside any transaction of A: its
 * outputs are A's, queued at once, and do not wait for B's transaction. Send through a boundary of the
 * group whose transaction produces the output.
 *
 * <h2>Modes</h2>
 * {@link Mode#EXTERNAL} (the default, {@link #external}) holds outputs as above. {@link Mode#IMMEDIATE}
 * ({@link #immediate}, Aurora's {@code sls_fdctl} switched off) passes every output through at once, in or
 * out of a transaction: it is queued when {@code send} is called, whatever becomes of the transaction, so a
 * transaction that re-runs sends again, and a rollback discards none of it. It keeps the machinery (one
 * release thread, order, retry, dead letters, memory limit). The mode is fixed when the boundary is created
 * and is reported by {@link #mode()}; use two boundaries to mix modes over one sink.
 *
 * <h2>States</h2>
 * <table class="striped">
 *   <caption>What each operation does in each state of the boundary</caption>
 *   <tr><th>operation</th><th>open</th><th>closed</th></tr>
 *   <tr><td>{@link #send}</td><td>EXTERNAL: holds as above; IMMEDIATE: queues at once. When {@code maxHeld}
 *       outputs are pending: waits for room (up to {@code maxBlock}) or fails with
 *       {@link BoundaryFullException}, as configured. A closed group: {@link IllegalStateException}. EXTERNAL,
 *       and the group's durable store has failed: {@link io.aurora4j.store.StoreFailedException}.</td>
 *       <td>{@link IllegalStateException} naming the group and the boundary; a send waiting for room when
 *       the boundary closes fails the same way</td></tr>
 *   <tr><td>{@link #flush}</td><td colspan="2">a future that completes when every output queued before the
 *       call has been delivered, discarded by a rollback or dead-lettered; exceptionally
 *       ({@link UndeliveredOutputsException}) if an output queued since the previous flush was
 *       dead-lettered</td></tr>
 *   <tr><td>{@link #close}</td><td>refuses further sends; outputs already sent (including those staged by
 *       transactions still running, if they commit) are still released, discarded or dead-lettered as
 *       usual; the id becomes free; does not wait (call {@code flush().join()} first to wait)</td>
 *       <td>no effect</td></tr>
 *   <tr><td>{@link #mode}, {@link #id}, {@link #group}, {@link #stats}</td><td colspan="2">answer</td></tr>
 * </table>
 * Closing the group does not close its boundaries: outputs of committed work are still released.
 *
 * <h2>Failures and limits</h2>
 * <ul>
 *   <li><b>A sink that fails</b> (throws, or its stage completes exceptionally) is tried again as the
 *       {@link RetryPolicy} says (default: not at all); every failed try is counted in
 *       {@link Stats#retries()}; after the last, the output and all its failures go to the
 *       {@link DeadLetterHandler} (default: a warning through {@code System.Logger}) and the boundary goes on
 *       with the next output. An output is never dropped silently and never delivered twice by the
 *       boundary.</li>
 *   <li><b>Memory</b> is bounded by {@code maxHeld} (default 65,536): the outputs sent and not yet
 *       delivered, discarded or dead-lettered, including those staged by running transactions. Room is
 *       taken by {@code send} (in a transaction: when the body calls it, never at the commit, which must not
 *       block) and given back when the output is settled, or when its transaction rolls back. When full,
 *       {@code send} waits for room (default, up to {@code maxBlock}, 30 s by default; interruptible) or fails
 *       at once, as chosen with {@link Builder#maxHeld}; either way it fails with
 *       {@link BoundaryFullException} naming the group, the boundary and the limit, and nothing is dropped.
 *       A transaction that alone sends more than {@code maxHeld} outputs through one boundary can never
 *       commit them: its send waits {@code maxBlock} and fails.</li>
 *   <li><b>The release task</b> runs on the executor given to {@link Builder#releaseExecutor} (default: a
 *       virtual thread per task). A task takes what is releasable at that moment, delivers it, and ends,
 *       scheduling another if more is waiting; at most one task of a boundary exists at any time, so the sink
 *       is never called concurrently. The executor should hand tasks to another thread: a direct executor
 *       ({@code Runnable::run}) delivers on whichever thread sends, commits (after the commit) or rolls back.
 *       If the executor rejects a task, a warning is logged and the outputs wait for the next send or flush.</li>
 * </ul>
 *
 * <h2>Design</h2>
 * Producers never take a lock: a send takes room with one CAS on the boundary's pending count, and hands the
 * output to a JCTools MPSC queue ({@code MpscUnboundedAtomicArrayQueue}: a CAS on the producer index, no {@code Unsafe}), directly
 * (outside a transaction, through the group's {@code SendGate}, two uncontended atomic adds on a per-thread
 * stripe) or through the group's commit sink at the commit point. The single consumer is the release task,
 * which moves entries from the queue to a held deque and takes the releasable prefix, under a lock it shares
 * only with the group's rollback participant (held for a few list operations, never while calling the sink).
 * A send schedules the release task only when none is scheduled (a volatile read, and a CAS when idle);
 * a task that ends sets the state idle and then looks at the queue again (Dekker with the sender's offer
 * then state read), so an output is never stranded.
 *
 * <p>Where each part lives: this class is the public face and the send side (staging at the commit point,
 * the send gate, closing); {@code HeldLimit} keeps the {@code maxHeld} room; {@code ReleaseEngine} is the
 * queue's consumer (release task, delivery, retries, dead letters, flush markers, dropping rolled-back
 * outputs); {@code GroupOutputs} is the group's coordinator (watermark, rollback participant).
 *
 * <p>Thread-safe: {@code send} and {@code flush} may be called from any number of threads.
 *
 * @param <T> the type of the outputs; an output must not change after it is sent (it is read later, on the
 *            release task)
 */
public final class Boundary<T> implements AutoCloseable {
    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(Boundary.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final long DEFAULT_MAX_HELD = 65_536;
    private static final Duration DEFAULT_MAX_BLOCK = Duration.ofSeconds(30);

    /** How a boundary treats outputs sent by work that may still be undone. */
    public enum Mode {
        /** Held until the work that produced them commits (and can no longer be undone); dropped if it is. */
        EXTERNAL,
        /** Passed through at once, in or out of a transaction, whatever becomes of it ({@code sls_fdctl} off). */
        IMMEDIATE
    }

    /** What {@code send} does when the boundary already has {@code maxHeld} outputs pending. */
    public enum WhenFull {
        /** Wait for room, up to the boundary's {@code maxBlock}, then fail with {@link BoundaryFullException}. */
        BLOCK,
        /** Fail at once with {@link BoundaryFullException}. */
        FAIL
    }

    /**
     * A snapshot of a boundary's counters.
     *
     * @param pending      outputs sent and not yet settled (delivered, discarded or dead-lettered), including
     *                     those staged by running transactions: what counts against {@code maxHeld}
     * @param delivered    outputs the sink took
     * @param discarded    outputs discarded by rollbacks
     * @param deadLettered outputs handed to the dead-letter handler
     * @param retries      failed deliveries that were tried again
     */
    public record Stats(long pending, long delivered, long discarded, long deadLettered, long retries) {
    }

    private final Group group;
    private final String id;
    private final Mode mode;
    private final GroupOutputs outputs;

    /** The send side's two parts: room for pending outputs, and the release engine the outputs go to. */
    private final HeldLimit limit;
    private final ReleaseEngine<T> engine;
    private final CommitSink<Held> commitSink = this::committed;
    private final Runnable signalTask = this::signal;
    private final Runnable giveBackOne = () -> settle(1);

    @SuppressWarnings("unused") // through CLOSED
    private volatile boolean closed;

    private Boundary(Builder<T> b) {
        this.group = b.group;
        this.id = b.id;
        this.mode = b.mode != null ? b.mode : Mode.EXTERNAL;
        this.limit = new HeldLimit(this, b.maxHeld != 0 ? b.maxHeld : DEFAULT_MAX_HELD,
                b.whenFull != null ? b.whenFull : WhenFull.BLOCK,
                (b.maxBlock != null ? b.maxBlock : DEFAULT_MAX_BLOCK).toNanos());
        Executor executor = b.executor;
        if (executor == null) {
            ThreadFactory threads = Thread.ofVirtual().name("aurora4j-boundary-" + group.name() + "/" + id).factory();
            executor = task -> threads.newThread(task).start();
        }
        this.outputs = GroupOutputs.of(group);
        this.engine = new ReleaseEngine<>(this, group.name(), mode, b.sink, executor,
                b.retry != null ? b.retry : RetryPolicy.none(), b.deadLetters, outputs);
    }

    /** An {@link Mode#EXTERNAL} boundary with default settings delivering to {@code sink}. See {@link #builder}. */
    public static <T> Boundary<T> external(Group group, String id, Consumer<? super T> sink) {
        return Boundary.<T>builder(group, id).sink(Sink.of(sink)).open();
    }

    /** An {@link Mode#IMMEDIATE} boundary with default settings delivering to {@code sink}. See {@link #builder}. */
    public static <T> Boundary<T> immediate(Group group, String id, Consumer<? super T> sink) {
        return Boundary.<T>builder(group, id).mode(Mode.IMMEDIATE).sink(Sink.of(sink)).open();
    }

    /**
     * A builder for a boundary of {@code group} named {@code id} (unique among the group's open boundaries).
     * {@snippet :
     * Boundary<String> audit = Boundary.<String>builder(group, "audit")
     *         .sink(Sink.stream(out, Framer.lines()))
     *         .maxHeld(10_000, Boundary.WhenFull.FAIL)
     *         .retry(RetryPolicy.attempts(3, Duration.ofMillis(50)))
     *         .open();
     * }
     */
    public static <T> Builder<T> builder(Group group, String id) {
        return new Builder<>(group, id);
    }

    /** The boundary's id, unique among its group's open boundaries. */
    public String id() {
        return id;
    }

    /** The boundary's group. */
    public Group group() {
        return group;
    }

    /** Whether outputs are held ({@link Mode#EXTERNAL}) or passed through ({@link Mode#IMMEDIATE}). Fixed. */
    public Mode mode() {
        return mode;
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** A snapshot of the counters (each read once; not an atomic snapshot of all). */
    public Stats stats() {
        return new Stats(limit.pending(), engine.delivered, engine.discarded, engine.deadLettered, engine.retries);
    }

    // ================================================================== sending

    /**
     * Sends {@code output}: held until the work that produced it can no longer be undone
     * ({@link Mode#EXTERNAL}), or queued at once ({@link Mode#IMMEDIATE}). See the class comment for the
     * rules inside and outside transactions.
     *
     * @throws IllegalStateException  if the boundary or its group is closed
     * @throws BoundaryFullException  if {@code maxHeld} outputs are pending and there is no room in time
     * @throws io.aurora4j.store.StoreFailedException if the boundary is {@code EXTERNAL} and its group's durable
     *                                store has failed: nothing sent from then on could ever be released
     * @throws NullPointerException   if {@code output} is null
     */
    public void send(T output) {
        Objects.requireNonNull(output, "output");
        if (closed) {
            throw closedException();
        }
        if (group.isClosed()) {
            throw new IllegalStateException("group '" + group.name() + "' is closed: boundary '" + id + "' cannot send");
        }
        if (mode == Mode.EXTERNAL) {
            StoreFailedException failed = outputs.storeFailure();
            if (failed != null) {
                throw storeFailed(failed);
            }
        }
        limit.reserve();
        // Read after the reservation (both volatile): a close() that saw no pending output has already set
        // closed, so this sender backs out instead of sending through a boundary the group no longer asks.
        if (closed) {
            settle(1);
            throw closedException();
        }
        Held h = new Held(output);
        if (mode == Mode.IMMEDIATE) {
            h.epoch = Held.IMMEDIATE;
            engine.enqueue(h);
            signal();
        } else if (TxnSpi.inTransaction(group)) {
            try {
                TxnSpi.stage(group, commitSink, h);
                group.afterRollback(giveBackOne); // the attempt's outputs are dropped with it: give back their room
            } catch (RuntimeException | Error e) {
                settle(1);
                throw e;
            }
            group.afterCommit(signalTask); // after the commit, outside its locks: scheduling may take time
        } else {
            int slot = outputs.sendGate.enter();
            try {
                h.epoch = TxnSpi.currentEpoch(group); // between enter and exit: a rollback waits for the offer below
                engine.enqueue(h);
            } finally {
                outputs.sendGate.exit(slot);
            }
            signal();
        }
    }

    /** The commit point of a transaction that sent through this boundary: under its locks, so no blocking. */
    private void committed(Group g, long commitVersion, long epoch, List<Held> items) {
        Held entry;
        if (items.size() == 1) {
            entry = items.get(0);
        } else {
            // One entry for the whole transaction: its outputs stay together even when transactions that do
            // not conflict commit at the same time (their order between them is free, their interleaving is not).
            entry = new Held(items.toArray(new Held[0]));
        }
        entry.epoch = epoch; // published to the release task by the queue's offer
        engine.enqueue(entry);
    }

    /**
     * Returns a future that completes when every output queued before this call has been settled: delivered,
     * discarded by a rollback, or dead-lettered. It completes exceptionally with
     * {@link UndeliveredOutputsException} if an output queued after the previous flush and before this one was
     * dead-lettered: each dead letter fails exactly one flush, the first queued after it, so a program that
     * sends and then flushes learns of every failure once, whatever the timing. Outputs staged by
     * a transaction that has not committed are not yet queued: a flush inside a transaction does not wait for
     * that transaction's own outputs. Outputs held by a release condition (a pending speculation, a checkpoint
     * not yet durable) are waited for. Dependent actions attached with non-async methods run on the release
     * task: do not block there.
     * Works on a closed boundary too.
     */
    public CompletableFuture<Void> flush() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        engine.enqueue(new Held(done));
        signal();
        return done;
    }

    /**
     * Closes the boundary: later sends fail, its id is free again, and what was already sent is still
     * released (or discarded, or dead-lettered). Does not wait. Idempotent.
     */
    @Override
    public void close() {
        if (!CLOSED.compareAndSet(this, false, true)) {
            return;
        }
        outputs.closed(this);
        if (limit.hasWaiters()) {
            limit.wakeWaiters(); // they fail: the boundary is closed
        }
        if (limit.pending() == 0) {
            outputs.settled(this);
        }
    }

    @Override
    public String toString() {
        return "Boundary '" + id + "' of group '" + group.name() + "' (" + mode + (closed ? ", closed" : "") + ")";
    }

    // ================================================================== room and the engine

    /**
     * {@code n} outputs are settled (delivered, discarded, dead-lettered) or were never committed: give back
     * their room; a closed boundary that holds nothing more leaves its group's rollbacks.
     */
    void settle(long n) {
        if (limit.release(n) == 0 && closed) {
            outputs.settled(this);
        }
    }

    /** Schedules the release task unless one is scheduled. */
    void signal() {
        engine.signal();
    }

    /**
     * Called by the group's rollback participant, gates closed: drops what is still held of the epochs in
     * {@code (cutEpoch, newEpoch)}. Returns how many outputs were dropped.
     */
    long discardRolledBack(long cutEpoch, long newEpoch) {
        return engine.discardRolledBack(cutEpoch, newEpoch);
    }

    private StoreFailedException storeFailed(StoreFailedException cause) {
        return new StoreFailedException("the durable store of group '" + group.name() + "' failed: boundary '" + id
                + "' (EXTERNAL) can release nothing more, so the output was not sent", cause);
    }

    IllegalStateException closedException() {
        return new IllegalStateException("boundary '" + id + "' of group '" + group.name() + "' is closed");
    }

    // ================================================================== builder

    /**
     * Configures and opens a {@link Boundary}. Each setting may be given once; a second call fails naming the
     * value already set. Defaults are filled in by {@link #open()}: mode {@code EXTERNAL}, release executor a
     * virtual thread per task, {@code maxHeld} 65,536 with {@code BLOCK}, {@code maxBlock} 30 s,
     * {@link RetryPolicy#none()}, a dead-letter handler that logs a warning. Not thread-safe; {@code open()}
     * may be called once.
     *
     * @param <T> the type of the outputs
     */
    public static final class Builder<T> {
        private final Group group;
        private final String id;
        private Mode mode;
        private Sink<? super T> sink;
        private Executor executor;
        private long maxHeld;
        private WhenFull whenFull;
        private Duration maxBlock;
        private RetryPolicy retry;
        private DeadLetterHandler<? super T> deadLetters;
        private boolean opened;

        private Builder(Group group, String id) {
            this.group = Objects.requireNonNull(group, "group");
            this.id = Objects.requireNonNull(id, "id");
            if (id.isBlank()) {
                throw new IllegalArgumentException("a boundary id must not be blank (group '" + group.name() + "')");
            }
        }

        /** {@link Mode#EXTERNAL} (default) or {@link Mode#IMMEDIATE}. */
        public Builder<T> mode(Mode m) {
            requireState(mode == null, "mode was already set to " + mode);
            mode = Objects.requireNonNull(m, "mode");
            return this;
        }

        /** Where released outputs go (required). See {@link Sink} for synchronous, asynchronous and byte sinks. */
        public Builder<T> sink(Sink<? super T> s) {
            requireState(sink == null, "sink was already set to " + sink);
            sink = Objects.requireNonNull(s, "sink");
            return this;
        }

        /** Where release tasks run (default: a virtual thread per task). It should hand tasks to another thread. */
        public Builder<T> releaseExecutor(Executor e) {
            requireState(executor == null, "releaseExecutor was already set to " + executor);
            executor = Objects.requireNonNull(e, "executor");
            return this;
        }

        /** At most {@code limit} outputs pending (default 65,536), and what a send does when there is no room (default BLOCK). */
        public Builder<T> maxHeld(long limit, WhenFull policy) {
            requireState(maxHeld == 0, "maxHeld was already set to " + maxHeld + " (" + whenFull + ")");
            Objects.requireNonNull(policy, "policy");
            if (limit < 1) {
                throw new IllegalArgumentException("maxHeld must be at least 1, was " + limit);
            }
            maxHeld = limit;
            whenFull = policy;
            return this;
        }

        /** How long a {@link WhenFull#BLOCK BLOCK}ing send waits for room before it fails (default 30 s). */
        public Builder<T> maxBlock(Duration d) {
            requireState(maxBlock == null, "maxBlock was already set to " + maxBlock);
            Objects.requireNonNull(d, "maxBlock");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("maxBlock must be positive, was " + d);
            }
            maxBlock = d;
            return this;
        }

        /** What to do when the sink fails (default {@link RetryPolicy#none()}). */
        public Builder<T> retry(RetryPolicy policy) {
            requireState(retry == null, "retry was already set to " + retry);
            retry = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Who takes outputs that could not be delivered (default: a warning through {@code System.Logger}). */
        public Builder<T> deadLetterHandler(DeadLetterHandler<? super T> handler) {
            requireState(deadLetters == null, "deadLetterHandler was already set to " + deadLetters);
            deadLetters = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Opens the boundary.
         *
         * @throws IllegalStateException    if no sink was set, the group is closed, or this builder already opened one
         * @throws IllegalArgumentException if the group already has an open boundary with this id
         */
        public Boundary<T> open() {
            requireState(!opened, "this builder already opened boundary '" + id + "' of group '" + group.name() + "'");
            requireState(sink != null, "boundary '" + id + "' of group '" + group.name() + "' needs a sink: call sink(...)");
            if (group.isClosed()) {
                throw new IllegalStateException("group '" + group.name() + "' is closed: cannot open boundary '" + id + "'");
            }
            Boundary<T> b = new Boundary<>(this);
            b.outputs.register(b);
            opened = true;
            return b;
        }

        private static void requireState(boolean ok, String message) {
            if (!ok) {
                throw new IllegalStateException(message);
            }
        }
    }
}
