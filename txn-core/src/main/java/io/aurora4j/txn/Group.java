package io.aurora4j.txn;

import io.aurora4j.notify.Registration;
import io.aurora4j.notify.RollbackEvent;
import io.aurora4j.notify.RollbackListener;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A persistence group: a set of state objects that are changed in transactions, checkpointed, rolled back
 * and (later) persisted together — Aurora's unit of checkpointing, brought to the JVM.
 *
 * <h2>How it works</h2>
 * Transactions are optimistic (TL2 with snapshot extension; see {@code Txn}): serializable, and a running
 * transaction never observes an inconsistent snapshot. The group keeps a version clock and a chain of
 * <em>epochs</em>. {@link #checkpoint()} closes the current epoch by publishing a new one: one volatile
 * write under a short lock, whatever the size of the state, and it never waits for transactions. A commit
 * reads the current epoch while it holds the locks of everything it writes, so every commit falls wholly
 * on one side of the cut, and any commit that saw another commit's writes falls on the same side or
 * later: the cut is consistent. The first commit that writes an object in an epoch opened by a retained
 * checkpoint pushes the object's previous value (its pre-image) onto that epoch's undo list.
 * {@link #rollback(Checkpoint)} closes the commit gate (waiting only for commits already in flight),
 * applies the undo lists newest first, gives every restored object a fresh version so transactions that
 * read it fail validation, aborts every transaction in flight (they re-run against the restored state),
 * discards later checkpoints and notifies listeners. Its cost is O(objects changed since the checkpoint).
 * This is Aurora's incremental copy-on-write checkpoint (Tsalapatis et al., HotOS '21) done per object
 * instead of per page, with TL2's locks (Dice, Shalev, Shavit, DISC '06) as the barrier.
 *
 * <h2>States</h2>
 * <table class="striped">
 *   <caption>What each operation does in each state of the group</caption>
 *   <tr><th>operation</th><th>open</th><th>closed</th></tr>
 *   <tr><td>{@code new*}, look-ups by id</td><td>create / find; a duplicate id or a wrong type fails clearly; creating inside a transaction is refused</td><td rowspan="5">{@link IllegalStateException} naming the group</td></tr>
 *   <tr><td>{@link #atomic(Runnable)}</td><td>runs the body, retrying on conflict up to the limit</td></tr>
 *   <tr><td>state-object reads and writes</td><td>transactional inside a scope; single operations outside</td></tr>
 *   <tr><td>{@link #checkpoint()}</td><td>O(1) consistent cut</td></tr>
 *   <tr><td>{@link #rollback(Checkpoint)}</td><td>restores; refused inside a transaction, for a foreign or discarded checkpoint</td></tr>
 *   <tr><td>{@link #close()}</td><td>closes; listeners already notified stay notified</td><td>no effect</td></tr>
 * </table>
 * A hook ({@link #afterCommit}, {@link #afterRollback}) that throws is reported to the hook error handler
 * and does not affect the group or the other hooks. A rollback listener that throws is reported to the
 * listener error handler; the other listeners still run.
 *
 * <h2>Where each concern lives</h2>
 * This class is the facade over package-private parts with one job each (the epoch timeline, the registry, the
 * transaction runner, the durability, the rollback sequence, ...; txn-core's README lists them). Calls go one way:
 * from the group to its parts, and from the durability to the timeline.
 *
 * <p>Thread-safe. A transaction belongs to the thread that runs it; state objects of one group cannot be
 * used inside a transaction of another.
 */
public final class Group implements AutoCloseable {

    static {
        GroupSpiBridge.install();
    }

    private final String name;
    /** The settings the group opened with, defaults filled in: a fork copies them. */
    private final GroupSettings settings;

    // The words a commit and a region write read, one load from the group as they always were; written only by the
    // timeline (and the clock by commits): see EpochTimeline.
    final CommitGate gate = new CommitGate();
    /** Transactions blocked in {@link #retry()} (issue #13); woken by commits, purges, rollback and close. */
    final RetryWaiters retryWaiters = new RetryWaiters(this);
    private final Clock clock = new Clock();
    volatile long incarnation;
    volatile Epoch currentEpoch;
    volatile long releasedUpTo = -1;
    /** Set by {@link #close()}, or by a recovery that failed while the group opened. */
    volatile boolean closed;
    private final AtomicLong boxOrders = new AtomicLong();

    final EpochTimeline timeline;
    final ObjectRegistry registry;
    final TransactionRunner runner;
    final Durability durability;
    final RollbackSequence rollbacks;
    /** Checks values at the write against the codecs; null for a group without a durable store (see {@link Storable}). */
    final Storable storable;
    /** Other modules' per-group state (TxnSpi.extension), kept as long as the group. */
    final ExtensionSlot extensions = new ExtensionSlot();
    /** What the group does, for {@link #metrics()}, JMX and Micrometer. */
    final GroupCounters counters = new GroupCounters();
    /** Removes the group's {@link GroupMXBean}: set once the group opened, a no-op when JMX is off. */
    volatile Runnable unregisterJmx = () -> { };

    /** {@code b} has been through {@link GroupSettings#opening()}. */
    Group(GroupSettings b) {
        this.name = b.name;
        this.settings = b;
        this.timeline = new EpochTimeline(this, b.retain, b.maintenance, b.store != null);
        this.registry = new ObjectRegistry(this, timeline);
        this.runner = new TransactionRunner(this, b.maxRetries, b.hookErrorHandler);
        this.durability = b.store == null ? new MemoryDurability(b.codecs)
                : new StoreDurability(name, timeline, registry, runner::reportHookFailure, b.store,
                b.codecs != null ? b.codecs : io.aurora4j.store.Codecs.defaults(), b.period.toNanos());
        timeline.observe(durability);
        this.storable = durability.isDurable() ? new Storable(durability.codecs()) : null;
        this.rollbacks = new RollbackSequence(this, timeline, registry, runner::reportHookFailure,
                b.notificationExecutor, b.listenerErrorHandler, b.restoreListeners);
    }

    /**
     * Recovers the group kept in {@code store}: every state object of its last durable checkpoint, under its id,
     * with its value there, and periodic checkpointing resumes (every 10 ms). To choose the period, codecs or
     * restore listeners, use {@link GroupBuilder#store} with the group's name instead. {@link Region}s are restored
     * lazily: their pages are read from the store when first touched, so opening reads no page.
     *
     * @throws IllegalArgumentException if the store holds no durable checkpoint
     */
    public static Group open(io.aurora4j.store.Store store) {
        return GroupBuilder.recovering(store).open();
    }

    /** An in-memory group with default settings. */
    public static Group inMemory(String name) {
        return builder(name).open();
    }

    /** A builder for a group with the given name. */
    public static GroupBuilder builder(String name) {
        return new GroupBuilder(name);
    }

    /** The group's name. */
    public String name() {
        return name;
    }

    // ================================================================== state objects

    /** Creates a {@link TLong} with a unique id. */
    public TLong newLong(String id, long initial) {
        return registry.register(id, (version, epoch) -> new TLong(this, id, initial, version, epoch));
    }

    /**
     * Creates a {@link TRef} with a unique id. In a durable group the initial value, like every value set later, must
     * be of a class the group's codecs can write ({@link IllegalArgumentException} otherwise, naming the object).
     */
    public <T> TRef<T> newRef(String id, T initial) {
        if (storable != null && id != null) {
            storable.checkInitial(name, id, initial);
        }
        return registry.register(id, (version, epoch) -> new TRef<>(this, id, initial, version, epoch));
    }

    /** Creates an empty {@link TMap} with a unique id. */
    public <K, V> TMap<K, V> newMap(String id) {
        return registry.register(id, (version, epoch) -> new TMap<>(this, id, version, epoch));
    }

    /**
     * Creates a {@link Region} of {@code bytes} bytes with a unique id, in pages of 4 KiB. For another page size
     * or exclusion from checkpoints, use {@link #regionBuilder(String)}.
     */
    public Region newRegion(String id, long bytes) {
        return regionBuilder(id).capacity(bytes).create();
    }

    /** A builder for a {@link Region} with a unique id: capacity, page size, exclusion from checkpoints. */
    public Region.Builder regionBuilder(String id) {
        return new Region.Builder(this, id);
    }

    /** The {@link Region} registered under {@code id}. */
    public Region region(String id) {
        return registry.lookup(id, Region.class);
    }

    Region registerRegion(String id, long capacity, int pageSize, boolean excluded) {
        return registry.register(id, (version, epoch) -> new Region(this, id, capacity, pageSize, excluded, version, epoch, null, null, 0));
    }

    /** The {@link TLong} registered under {@code id}. */
    public TLong longRef(String id) {
        return registry.lookup(id, TLong.class);
    }

    /** The {@link TRef} registered under {@code id}. */
    @SuppressWarnings("unchecked")
    public <T> TRef<T> ref(String id) {
        return registry.lookup(id, TRef.class);
    }

    /** The {@link TMap} registered under {@code id}. */
    @SuppressWarnings("unchecked")
    public <K, V> TMap<K, V> map(String id) {
        return registry.lookup(id, TMap.class);
    }

    // ================================================================== transactions

    /**
     * Runs {@code body} as a transaction: atomic, isolated (serializable, opaque) and retried on conflict
     * with backoff, up to the group's retry limit ({@link TransactionConflictException} after it). An
     * exception thrown by the body rolls the transaction back and propagates unchanged. Called inside a
     * transaction of this group, it is a nested transaction: if its body throws, only its own writes are
     * undone and the exception propagates to the enclosing body, which may catch it and go on.
     *
     * <p>The body may run more than once: side effects that must not repeat belong in an
     * {@link #afterCommit} hook (or, later, a boundary).
     */
    public void atomic(Runnable body) {
        Objects.requireNonNull(body, "body");
        runner.atomic(null, body);
    }

    /** As {@link #atomic(Runnable)}, returning the body's result. */
    public <R> R atomic(Supplier<R> body) {
        Objects.requireNonNull(body, "body");
        return runner.atomic(body, null);
    }

    /**
     * As {@link #atomic(Supplier)}, with a bound on how long the transaction may block in {@link #retry()}: its
     * waits, over all its attempts, end by {@code timeout} after this call; then the attempt is discarded and
     * {@link RetryTimeoutException} (naming the group and what it waited on) is thrown. A zero timeout never
     * blocks. Thread-safe.
     *
     * @throws IllegalStateException if called inside a transaction (a timeout bounds a whole transaction)
     */
    public <R> R atomic(Duration timeout, Supplier<R> body) {
        Objects.requireNonNull(body, "body");
        return RetryWaiters.withTimeout(this, timeout, body);
    }

    /** As {@link #atomic(Duration, Supplier)} for a body without a result. */
    public void atomic(Duration timeout, Runnable body) {
        Objects.requireNonNull(body, "body");
        RetryWaiters.withTimeout(this, timeout, () -> {
            body.run();
            return null;
        });
    }

    /**
     * As {@link #atomic(Supplier)} for a body that throws checked exceptions: such an exception aborts the
     * transaction (its writes discarded, its after-rollback hooks run) and is rethrown unchanged, the same instance.
     * (Not an overload of {@code atomic}: a lambda such as {@code () -> 1} would fit both this and
     * {@code atomic(Supplier)}, and javac rejects the call as ambiguous.) Thread-safe.
     */
    public <R, E extends Exception> R atomicChecked(TxnCallable<R, E> body) throws E {
        Objects.requireNonNull(body, "body");
        return CheckedBodies.run(this, body);
    }

    /**
     * Blocks the running transaction until an object it has read changes, then runs it again (from the start of the
     * top-level {@code atomic}): a body waits for a condition by checking it and calling {@code retry()} when it
     * does not hold. The attempt's writes are discarded. Inside {@link #orElse}, the alternative is tried instead.
     * A rollback of the group wakes the transaction, which re-runs against the restored state; {@link #close()}
     * wakes it with an {@link IllegalStateException}. See {@link #atomic(Duration, Supplier)} for a bound on the wait.
     * Never returns normally.
     *
     * @throws IllegalStateException if no transaction of this group runs on this thread, or (when it would block)
     *                               the transaction has read nothing
     */
    public void retry() {
        RetryWaiters.retry(this);
    }

    /**
     * Runs {@code first}; if it calls {@link #retry()}, undoes its writes (only its own) and runs {@code second}
     * instead. If both retry, the transaction blocks until something either of them read changes, then re-runs.
     * Each alternative is a nested transaction: an exception from it undoes its writes and propagates. Called outside
     * a transaction it is one; inside, it joins the running one. Thread-safe.
     */
    public <R> R orElse(Supplier<R> first, Supplier<R> second) {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
        return OrElse.run(this, first, second);
    }

    /** As {@link #orElse(Supplier, Supplier)} for alternatives without a result. */
    public void orElse(Runnable first, Runnable second) {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
        OrElse.run(this, () -> {
            first.run();
            return null;
        }, () -> {
            second.run();
            return null;
        });
    }

    /** Whether a transaction of this group is running on the calling thread. */
    public boolean inTransaction() {
        Txn t = Txn.current();
        return t.active && t.group == this;
    }

    /**
     * Runs {@code hook} once, after the running transaction commits (on the committing thread, outside
     * any transaction). If the transaction, or the nested transaction that registered the hook, rolls
     * back, the hook is dropped.
     *
     * @throws IllegalStateException if no transaction of this group is running on this thread
     */
    public void afterCommit(Runnable hook) {
        Objects.requireNonNull(hook, "hook");
        runner.running("afterCommit").hooks().afterCommit(hook);
    }

    /**
     * Runs {@code hook} once, after the running attempt rolls back: because its body threw, because it
     * conflicted and will be re-run (each attempt's hooks are its own), or, for a hook registered in a
     * nested transaction, because that nested transaction threw — in that case it runs at once, still
     * inside the enclosing transaction (whose state it may read and write). Dropped if the transaction
     * commits. Hooks of a top-level attempt run outside any transaction.
     *
     * @throws IllegalStateException if no transaction of this group is running on this thread
     */
    public void afterRollback(Runnable hook) {
        Objects.requireNonNull(hook, "hook");
        runner.running("afterRollback").hooks().afterRollback(hook);
    }

    void reportHookFailure(Throwable e) {
        runner.reportHookFailure(e);
    }

    // ================================================================== checkpoints

    /** Takes an unlabelled checkpoint. See {@link #checkpoint(String)}. */
    public Checkpoint checkpoint() {
        return timeline.take(null, false, false);
    }

    /**
     * Takes a checkpoint: a consistent cut containing every transaction that committed before this call
     * and none that starts committing after it returns. Costs O(1) whatever the size of the state: no
     * object is walked or copied, and no transaction is waited for. If more than the retained number of
     * checkpoints exist, the oldest leaves retention and the memory held for it is released in the
     * background. Inside a transaction, the cut does not include that transaction's own writes.
     */
    public Checkpoint checkpoint(String label) {
        Objects.requireNonNull(label, "label");
        Storable.checkLabel(name, label); // a store or an image holds at most StoreLimits.MAX_ID_BYTES
        return timeline.take(label, false, false);
    }

    // ================================================================== durability (see Durability)

    /**
     * A checkpoint that is durable when the returned future completes: Aurora's {@code sls_barrier}. In a durable
     * group it takes a checkpoint and asks the flusher to write it at once rather than at the end of its period
     * (with periodic checkpoints off, it writes it on the calling thread before returning); in a group without a
     * durable store the future is already complete. Completes exceptionally as {@link Checkpoint#durable()} does.
     */
    public CompletableFuture<Checkpoint> barrier() {
        Checkpoint cp = checkpoint();
        durability.requestFlush();
        return cp.durable();
    }

    /** Whether the group writes its checkpoints to a durable store. */
    public boolean isDurable() {
        return durability.isDurable();
    }

    /**
     * The durable append-only log {@code logName} (Aurora's {@code sls_ntflush}): a record is on stable storage
     * when {@link io.aurora4j.store.DurableLog#append} returns, without waiting for the next checkpoint. A
     * restore listener replays the records appended after the recovered checkpoint. In a group without a
     * durable store the log lives in memory.
     */
    public io.aurora4j.store.DurableLog log(String logName) {
        Objects.requireNonNull(logName, "logName");
        checkOpen();
        return durability.log(logName);
    }

    /**
     * Sets how state object {@code id} takes part in persistence (Aurora's {@code sls_mctl}): {@link Persistence#DURABLE}
     * (the default) or {@link Persistence#EPHEMERAL} (checkpointed in memory, never written to the store nor sent in
     * images). A change takes effect from the next durable checkpoint, which is then written in full.
     *
     * @throws java.util.NoSuchElementException if there is no such object
     * @throws IllegalArgumentException if {@code policy} is {@link Persistence#EXCLUDED} (only regions can be excluded,
     *                                  when they are built) or the object is an excluded region
     */
    public void setPersistence(String id, Persistence policy) {
        Objects.requireNonNull(policy, "policy");
        registry.setPersistence(id, policy, durability);
    }

    /** How state object {@code id} takes part in persistence. */
    public Persistence persistence(String id) {
        return registry.persistence(registry.lookup(id, StateObject.class));
    }

    // ================================================================== send / receive

    /**
     * Writes a self-contained image of {@code checkpoint} (every persisted state object, whole) to {@code out}:
     * Aurora's {@code sls send}. {@link #receive(InputStream)} rebuilds the group from it in another process.
     * The stream is not closed.
     *
     * @throws IllegalArgumentException if the checkpoint belongs to another group
     * @throws IllegalStateException    if it is not retained (or leaves retention while it is written)
     * @throws io.aurora4j.store.StoreException if writing to {@code out} fails; an {@link UnwritableValueException}
     *                                          naming the object if a value cannot be encoded, or its record would
     *                                          exceed what a receiver with default limits reads
     */
    public void send(Checkpoint checkpoint, java.io.OutputStream out) {
        send(checkpoint, null, out);
    }

    /**
     * Writes an image of {@code checkpoint} that holds only what changed since {@code base}, for a receiver whose
     * store's newest checkpoint is {@code base} (received before, or recovered): migration in increments.
     *
     * @throws IllegalArgumentException if either checkpoint belongs to another group, or {@code base} is not older
     * @throws IllegalStateException    if either is not retained
     */
    public void send(Checkpoint checkpoint, Checkpoint base, java.io.OutputStream out) {
        ImageSender.send(this, timeline, registry, durability.codecs(), checkpoint, base, out);
    }

    /**
     * Rebuilds a group, in memory, from an image written by {@link #send(Checkpoint, java.io.OutputStream)}: Aurora's
     * {@code sls recv}. The image is untrusted input: sizes are bounded by {@link io.aurora4j.store.ImageLimits#defaults()},
     * checksums checked, and an image from which no group can be built fails with
     * {@link io.aurora4j.store.StoreCorruptedException} (or {@link io.aurora4j.store.ImageLimitException}) without
     * creating anything. Values are decoded with the default codecs; for others, receive into a store and open it
     * with a builder.
     */
    public static Group receive(java.io.InputStream in) {
        io.aurora4j.store.Store memory = io.aurora4j.store.Store.memory();
        try {
            return receive(in, memory);
        } catch (RuntimeException | Error e) {
            memory.close();
            throw e;
        }
    }

    /**
     * Receives an image into {@code store} (a full image, or an increment over the store's newest checkpoint)
     * with the {@linkplain io.aurora4j.store.ImageLimits#defaults() default limits}, and opens the group it holds,
     * durable in that store. The store is the group's from then on. See {@link #receive(java.io.InputStream,
     * io.aurora4j.store.Store, io.aurora4j.store.ImageLimits)}.
     */
    public static Group receive(java.io.InputStream in, io.aurora4j.store.Store store) {
        return receive(in, store, io.aurora4j.store.ImageLimits.defaults());
    }

    /**
     * Receives an image into {@code store} within {@code limits} and opens the group it holds. All or nothing:
     * every record is checked, as it arrives, for what building the group needs (known kinds, values of the right
     * size that the default codecs decode, pages of their region's size inside it, a group object) and against
     * {@code limits} (including {@link io.aurora4j.store.ImageLimits#maxRegionPages()}, and page sizes of at most
     * {@link io.aurora4j.store.ImageLimits#maxRecordBytes()}), and the image is committed to {@code store} only
     * once all of it arrived and held; otherwise {@code store} is left as it was (and stays open).
     *
     * @throws io.aurora4j.store.StoreCorruptedException if the image is malformed, truncated, or holds what no group
     *                                                   can be built from (the message names the object and why)
     * @throws io.aurora4j.store.ImageLimitException     if it exceeds {@code limits}
     * @throws IllegalArgumentException                  if it is an increment over a checkpoint {@code store} does
     *                                                   not have as its newest, or not newer than it
     * @throws io.aurora4j.store.StoreException          if reading {@code in} or writing {@code store} failed
     */
    public static Group receive(java.io.InputStream in, io.aurora4j.store.Store store, io.aurora4j.store.ImageLimits limits) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(limits, "limits");
        ReceivedImageCheck.receive(in, store, limits);
        return open(store);
    }

    // ================================================================== fork

    /** A fork named after this group ({@code name-fork-N}). See {@link #fork(Checkpoint, String)}. */
    public Group fork(Checkpoint checkpoint) {
        return fork(checkpoint, GroupFork.nextName(name));
    }

    /**
     * A new in-memory group whose state objects start from {@code checkpoint}: every object that existed at the
     * checkpoint, under the same id, with its value there (Aurora's serverless warm start: fork one checkpoint
     * many times). {@link Region}s share the checkpoint's pages copy-on-write in both directions and cost O(1)
     * each, whatever their size; {@link TLong}, {@link TRef} and {@link TMap} values are copied (O(objects and
     * entries)). A region excluded from checkpoints starts empty. The fork has this group's settings
     * (retention, retries, maintenance executor, hook error handler), its own epochs, checkpoints and
     * listeners; the two groups are independent from then on. Close the fork when done: until then this
     * group keeps the pages the fork may read out of its pool (they are left to the garbage collector). In a group
     * recovered from a store, whose regions are restored lazily, the first fork first reads every region page not
     * loaded yet (O(pages), once; see {@link Region}): the fork must not depend on this group's store.
     *
     * @throws IllegalArgumentException if the checkpoint belongs to another group
     * @throws IllegalStateException    if it is no longer retained, this group is closed, or a transaction is
     *                                  running on this thread
     */
    public Group fork(Checkpoint checkpoint, String forkName) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(forkName, "forkName");
        return GroupFork.fork(this, timeline, registry, checkpoint, settings.forFork(forkName));
    }

    /** The retained checkpoints, oldest first: a snapshot. */
    public List<Checkpoint> history() {
        return timeline.history();
    }

    /**
     * The oldest retained checkpoint whose {@linkplain Checkpoint#view() view} breaks the invariant {@code holds},
     * or empty if the newest holds: bisecting history to find where an invariant was first violated. Assumes that
     * once broken it stays broken; evaluates {@code holds} at most {@code 1 + ceil(log2 n)} times over the {@code n}
     * checkpoints of {@link #history()} (a snapshot taken at the call). {@link DurableHistory#bisect} does the same
     * over a store's durable checkpoints. Thread-safe; runs {@code holds} on the calling thread, outside any lock.
     *
     * @throws IllegalStateException if an evaluated checkpoint leaves retention meanwhile (its view fails)
     */
    public java.util.Optional<Checkpoint> bisect(java.util.function.Predicate<? super CheckpointView> holds) {
        return HistoryBisect.firstBreaking(history(), cp -> holds.test(cp.view()));
    }

    /**
     * Rolls back to {@code checkpoint}; the typed cause is a {@link RollbackCause.Requested} naming the calling thread.
     * See {@link #rollback(Checkpoint, Throwable)}.
     */
    public RollbackEvent rollback(Checkpoint checkpoint) {
        return rollbacks.rollback(checkpoint, new RollbackCause.Requested(Thread.currentThread().getName()));
    }

    /**
     * Restores every state object of the group to its value at {@code checkpoint}, while other threads keep
     * running transactions: commits already in flight finish first, every transaction in flight is aborted
     * and re-run against the restored state (none is half-applied), objects created after the checkpoint
     * are discarded (using one throws), and checkpoints taken after it are discarded. The checkpoint itself
     * stays retained and can be rolled back to again. Then every registered listener is notified once, in
     * rollback order: an untyped one with an event whose {@link RollbackEvent#cause()} is {@code cause}, a typed one
     * with a {@link RollbackCause.Failure} carrying it. Costs O(objects changed since the checkpoint).
     *
     * @return the event delivered to the listeners
     * @throws IllegalArgumentException if the checkpoint belongs to another group
     * @throws IllegalStateException if it is no longer retained, the group is closed, or a transaction is
     *                               running on this thread
     */
    public RollbackEvent rollback(Checkpoint checkpoint, Throwable cause) {
        Objects.requireNonNull(cause, "cause");
        return rollbacks.rollback(checkpoint, new RollbackCause.Failure(cause));
    }

    /** Registers a listener told of every later rollback, once each, in rollback order, after state is restored. */
    public Registration onRollback(RollbackListener listener) {
        Objects.requireNonNull(listener, "listener");
        checkOpen();
        return rollbacks.register(listener);
    }

    /**
     * As {@link #onRollback(RollbackListener)}, typed: the listener gets this group, the {@link Checkpoint} and a
     * {@link RollbackCause} to switch over, without casts. Thread-safe.
     */
    public Registration onGroupRollback(GroupRollbackListener listener) {
        Objects.requireNonNull(listener, "listener");
        checkOpen();
        return rollbacks.register(GroupRollback.listener(this, listener));
    }

    /** Completes when every rollback event published so far has reached every listener it was for. */
    public CompletableFuture<Void> notificationsDelivered() {
        return rollbacks.delivered();
    }

    // ================================================================== lifecycle and stats

    /**
     * Closes the group: every later operation on it or its state objects fails with
     * {@link IllegalStateException}. Rollback events already published are still delivered. Idempotent.
     */
    @Override
    public void close() {
        if (!closed) {
            durability.beforeClose();
        }
        timeline.admin.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            retryWaiters.wakeIfAny(); // issue #13: waiters in retry() fail, naming the group
            unregisterJmx.run();
            durability.close();
            registry.all().forEach(StateObjects::closeWithGroup);
            rollbacks.closeNotifier();
        } finally {
            timeline.admin.unlock();
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Counters for monitoring: state objects registered, checkpoints retained, pre-images held for them.
     *
     * @param objects           state objects registered under an id
     * @param retainedCheckpoints checkpoints in {@link #history()}
     * @param retainedPreImages  pre-images held so retained checkpoints can be viewed and rolled back to
     * @param rollbacks          rollbacks performed
     */
    public record Stats(int objects, int retainedCheckpoints, long retainedPreImages, long rollbacks) {
    }

    /** A snapshot of the group's counters. */
    public Stats stats() {
        timeline.admin.lock();
        try {
            return new Stats(registry.size(), timeline.retainedCount(), timeline.retainedPreImages(), timeline.rollbackCount());
        } finally {
            timeline.admin.unlock();
        }
    }

    /**
     * What opening a durable group found in its store (issue #14): the checkpoint recovered, segments, bytes and
     * records scanned, and each torn tail cut, empty segment deleted or loss accepted, with file, offset and
     * checkpoint ids (see {@link io.aurora4j.store.RecoveryReport}). Empty for an in-memory group.
     */
    public java.util.Optional<io.aurora4j.store.RecoveryReport> recovery() {
        return durability instanceof StoreDurability sd ? java.util.Optional.of(sd.store.recovery()) : java.util.Optional.empty();
    }

    /**
     * What the group has done since it opened: transaction outcomes by cause, checkpoints, rollbacks and flushes with
     * their latencies, durable lag. Cheap enough to poll; never blocks a transaction. See {@link GroupMetrics}.
     */
    public GroupMetrics metrics() {
        return counters.snapshot(name, timeline, registry.size(), durability.isDurable());
    }

    @Override
    public String toString() {
        return "Group '" + name + "'" + (closed ? " (closed)" : "");
    }

    // ================================================================== internals for Txn and state objects

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("group '" + name + "' is closed");
        }
    }

    long nextBoxOrder() {
        return boxOrders.getAndIncrement();
    }

    long clockNow() {
        return clock.now();
    }

    long tick() {
        return clock.tick();
    }

    /** See {@link Clock#advanceTo}. */
    long advanceClockTo(long version) {
        return clock.advanceTo(version);
    }

    /** See {@link Clock#commitVersion}. */
    long commitVersion(long overwritten) {
        return clock.commitVersion(overwritten);
    }

    long incarnation() {
        return incarnation;
    }

    Epoch currentEpoch() {
        return currentEpoch;
    }

    long releasedUpTo() {
        return releasedUpTo;
    }

    void countPreImages(int n) {
        timeline.countPreImages(n);
    }

    void releaseLate(Epoch epoch) {
        timeline.releaseLate(epoch);
    }

    void advanceClock(long to) {
        clock.set(to);
    }

    static IllegalArgumentException foreignObject(String what, Group owner, Group running) {
        return new IllegalArgumentException(what + " belongs to group '" + owner.name + "', but the transaction running on this thread is of group '"
                + running.name + "': a transaction cannot span groups");
    }
}
