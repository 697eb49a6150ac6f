package io.aurora4j.txn;

import io.aurora4j.notify.ListenerErrorHandler;
import io.aurora4j.notify.Registration;
import io.aurora4j.notify.RollbackEvent;
import io.aurora4j.notify.RollbackListener;
import io.aurora4j.notify.RollbackNotifier;
import io.aurora4j.txn.spi.CommitSink;
import io.aurora4j.txn.spi.RollbackParticipant;
import io.aurora4j.txn.spi.TxnSpi;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
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
 * <p>Thread-safe. A transaction belongs to the thread that runs it; state objects of one group cannot be
 * used inside a transaction of another.
 */
public final class Group implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Group.class.getName());

    static {
        TxnSpi.install(new TxnSpi.Access() {
            @Override
            public void stage(Group group, CommitSink sink, Object item) {
                Objects.requireNonNull(sink, "sink");
                group.runningTxn("stage").stage(sink, item);
            }

            @Override
            public boolean inTransaction(Group group) {
                return group.inTransaction();
            }

            @Override
            public long currentEpoch(Group group) {
                return group.currentEpoch.number;
            }

            @Override
            public long epochOf(Checkpoint checkpoint) {
                return checkpoint.closedEpoch.number;
            }

            @Override
            public RollbackEvent rollback(Group group, Checkpoint checkpoint, Throwable cause,
                                          io.aurora4j.notify.SpeculationInfo speculation) {
                Objects.requireNonNull(speculation, "speculation");
                return group.rollback(checkpoint, cause, speculation);
            }

            @Override
            public long durableEpoch(Group group) {
                Durability d = group.durability;
                return d == null ? Long.MAX_VALUE : d.failed() ? -1 : d.durableEpoch();
            }

            @Override
            public Runnable onDurable(Group group, Runnable listener) {
                Objects.requireNonNull(listener, "listener");
                Durability d = group.durability;
                return d == null ? () -> { } : d.onDurable(listener);
            }

            @Override
            public boolean durabilityFailed(Group group) {
                Durability d = group.durability;
                return d != null && d.failed();
            }

            @Override
            public Checkpoint pinnedCheckpoint(Group group) {
                return group.takeCheckpoint(null, false, true);
            }

            @Override
            public void unpin(Checkpoint checkpoint) {
                checkpoint.group().unpin(checkpoint);
            }

            @Override
            public void runGuarded(io.aurora4j.txn.spi.AccessGuard guard, Runnable task) {
                Txn t = Txn.current();
                io.aurora4j.txn.spi.AccessGuard outer = t.guard;
                t.guard = guard;
                try {
                    task.run();
                } finally {
                    t.guard = outer;
                }
            }

            @Override
            public Runnable addRollbackParticipant(Group group, RollbackParticipant participant) {
                Objects.requireNonNull(participant, "participant");
                group.checkOpen();
                group.rollbackParticipants.add(participant);
                return () -> group.rollbackParticipants.remove(participant);
            }
        });
    }

    private final String name;
    private final int retain;
    private final int maxRetries;
    private final Consumer<Throwable> hookErrorHandler;
    private final Executor maintenance;
    private final RollbackNotifier notifier;
    final CommitGate gate = new CommitGate();
    /** Transactions blocked in {@link #retry()} (issue #13); woken by commits, purges, rollback and close. */
    final RetryWaiters retryWaiters = new RetryWaiters(this);

    private final Clock clock = new Clock();
    private volatile long incarnation;
    private volatile Epoch currentEpoch;
    private volatile long releasedUpTo = -1;
    private volatile boolean closed;

    private final ReentrantLock admin = new ReentrantLock();
    /** Taken before the admin lock is released, held while a rollback event is published. */
    private final ReentrantLock publishing = new ReentrantLock();
    private final ConcurrentHashMap<String, StateObject> objects = new ConcurrentHashMap<>();
    private final ArrayDeque<Checkpoint> history = new ArrayDeque<>(); // guarded by admin
    private long epochCounter; // guarded by admin
    private long checkpointCounter; // guarded by admin
    private long rollbackCounter; // guarded by admin
    /** Pinned checkpoints in {@link #history}: they do not count against retention. Guarded by admin. */
    private int pinnedInHistory;
    private final LongAdder retainedPreImages = new LongAdder();
    private final CopyOnWriteArrayList<RollbackParticipant> rollbackParticipants = new CopyOnWriteArrayList<>();
    /** Null for a group without a durable store. */
    final Durability durability;
    /** Checks values at the write against the codecs; null for a group without a durable store (see {@link Storable}). */
    final Storable storable;
    /** Ids of state objects kept out of the store; see {@link #setPersistence}. */
    private final java.util.Set<String> ephemeral = ConcurrentHashMap.newKeySet();
    /** The codecs a group without a store sends images with; null for the defaults. */
    private final io.aurora4j.store.Codecs codecs;
    /** Logs of a group without a durable store live here; created on first use. */
    private volatile io.aurora4j.store.Store logStore;

    private Group(Builder b) {
        this.name = b.name;
        this.retain = b.retain;
        this.maxRetries = b.maxRetries;
        this.hookErrorHandler = b.hookErrorHandler != null ? b.hookErrorHandler
                : e -> LOG.log(System.Logger.Level.WARNING, "a transaction hook of group '" + name + "' threw", e);
        this.maintenance = b.maintenance != null ? b.maintenance
                : task -> Thread.ofVirtual().name("aurora4j-release-" + name).start(task);
        RollbackNotifier.Builder nb = RollbackNotifier.builder(name);
        if (b.notificationExecutor != null) {
            nb.executor(b.notificationExecutor);
        }
        if (b.listenerErrorHandler != null) {
            nb.errorHandler(b.listenerErrorHandler);
        }
        this.notifier = nb.build();
        this.currentEpoch = new Epoch(0, false, null, null);
        this.codecs = b.codecs;
        this.durability = b.store == null ? null
                : new Durability(this, b.store, b.codecs != null ? b.codecs : io.aurora4j.store.Codecs.defaults(),
                b.period.toNanos());
        this.storable = durability == null ? null : new Storable(durability.codecs);
        for (RollbackListener l : b.restoreListeners) {
            notifier.register(l);
        }
    }

    /** Recovers a durable group from its store (or starts it empty) and starts its flusher. */
    private Group startDurable(Builder b) {
        io.aurora4j.store.StoredCheckpoint recovered;
        try {
            recovered = durability.recover(b.recoveredState);
        } catch (RuntimeException | Error e) {
            closeAfterFailedOpen();
            throw e;
        }
        Checkpoint first;
        admin.lock();
        try {
            if (recovered != null) {
                checkpointCounter = recovered.id() - 1; // the restored state is the stored checkpoint: same id
            }
        } finally {
            admin.unlock();
        }
        first = takeCheckpoint(recovered == null ? null : recovered.label());
        durability.start(first, recovered);
        if (recovered != null) {
            RollbackEvent event;
            admin.lock();
            try {
                event = RollbackEvent.builder(name, ++rollbackCounter, first,
                                new RestoredFromStore(durability.store.describe(), recovered.id()))
                        .restoredObjects(objects.size())
                        .build();
                publishing.lock();
            } finally {
                admin.unlock();
            }
            try {
                notifier.publish(event);
            } finally {
                publishing.unlock();
            }
        }
        return this;
    }

    private void closeAfterFailedOpen() {
        closed = true;
        notifier.close();
        durability.store.close();
    }

    /**
     * Recovers the group kept in {@code store}: every state object of its last durable checkpoint, under its id,
     * with its value there, and periodic checkpointing resumes (every 10 ms). To choose the period, codecs or
     * restore listeners, use {@link Builder#store} with the group's name instead. {@link Region}s are restored
     * lazily: their pages are read from the store when first touched, so opening reads no page.
     *
     * @throws IllegalArgumentException if the store holds no durable checkpoint
     */
    public static Group open(io.aurora4j.store.Store store) {
        Objects.requireNonNull(store, "store");
        var last = store.lastDurable();
        // One StoredState for the name and the recovery: each copies the checkpoint's index, O(pages).
        io.aurora4j.store.StoredState state = last.isEmpty() ? null : store.state(last.get().id());
        String stored = state == null ? null : Durability.storedGroupName(state);
        if (stored == null) {
            throw new IllegalArgumentException("store " + store.describe() + " holds no durable checkpoint of any group:"
                    + " create the group with Group.builder(name).store(store).open()");
        }
        Builder b = builder(stored).store(store);
        b.recoveredState = state;
        return b.open();
    }

    /** An in-memory group with default settings. */
    public static Group inMemory(String name) {
        return builder(name).open();
    }

    /** A builder for a group with the given name. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The group's name. */
    public String name() {
        return name;
    }

    // ================================================================== state objects

    /** Creates a {@link TLong} with a unique id. */
    public TLong newLong(String id, long initial) {
        return register(id, (version, epoch) -> new TLong(this, id, initial, version, epoch));
    }

    /**
     * Creates a {@link TRef} with a unique id. In a durable group the initial value, like every value set later, must
     * be of a class the group's codecs can write ({@link IllegalArgumentException} otherwise, naming the object).
     */
    public <T> TRef<T> newRef(String id, T initial) {
        if (storable != null && id != null) {
            storable.checkInitial(name, id, initial);
        }
        return register(id, (version, epoch) -> new TRef<>(this, id, initial, version, epoch));
    }

    /** Creates an empty {@link TMap} with a unique id. */
    public <K, V> TMap<K, V> newMap(String id) {
        return register(id, (version, epoch) -> new TMap<>(this, id, version, epoch));
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
        return lookup(id, Region.class);
    }

    Region registerRegion(String id, long capacity, int pageSize, boolean excluded) {
        return register(id, (version, epoch) -> new Region(this, id, capacity, pageSize, excluded, version, epoch, null, null, 0));
    }

    /** The {@link TLong} registered under {@code id}. */
    public TLong longRef(String id) {
        return lookup(id, TLong.class);
    }

    /** The {@link TRef} registered under {@code id}. */
    @SuppressWarnings("unchecked")
    public <T> TRef<T> ref(String id) {
        return lookup(id, TRef.class);
    }

    /** The {@link TMap} registered under {@code id}. */
    @SuppressWarnings("unchecked")
    public <K, V> TMap<K, V> map(String id) {
        return lookup(id, TMap.class);
    }

    private interface Factory<T extends StateObject> {
        T create(long version, long epoch);
    }

    private <T extends StateObject> T register(String id, Factory<T> factory) {
        Objects.requireNonNull(id, "id");
        if (!id.isEmpty() && id.charAt(0) == '\u0000') {
            throw new IllegalArgumentException("state object ids starting with NUL are reserved, got '" + id.substring(1) + "' after it");
        }
        Storable.checkId(name, id); // what no store or image could hold would end durability at the next flush
        if (Txn.current().active) {
            throw new IllegalStateException("state object '" + id + "' cannot be created inside a transaction of group '"
                    + Txn.current().group.name + "': create state objects before or between transactions");
        }
        admin.lock();
        try {
            checkOpen();
            Epoch epoch = currentEpoch;
            T created = factory.create(clockNow(), epoch.number);
            StateObject existing = objects.putIfAbsent(id, created);
            if (existing != null) {
                throw new IllegalArgumentException("group '" + name + "' already has a state object '" + id + "' (a " + existing.kind() + ")");
            }
            if (epoch.logging) {
                epoch.created.add(created);
            }
            return created;
        } finally {
            admin.unlock();
        }
    }

    private <T> T lookup(String id, Class<T> type) {
        Objects.requireNonNull(id, "id");
        checkOpen();
        StateObject o = objects.get(id);
        if (o == null) {
            throw new NoSuchElementException("group '" + name + "' has no state object '" + id + "'");
        }
        if (!type.isInstance(o)) {
            throw new IllegalArgumentException("state object '" + id + "' of group '" + name + "' is a " + o.kind()
                    + ", not a " + type.getSimpleName());
        }
        return type.cast(o);
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
        execute(null, body);
    }

    /** As {@link #atomic(Runnable)}, returning the body's result. */
    public <R> R atomic(Supplier<R> body) {
        Objects.requireNonNull(body, "body");
        return execute(body, null);
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

    private <R> R execute(Supplier<R> supplier, Runnable runnable) {
        Txn t = Txn.current();
        if (t.active) {
            return nested(t, supplier, runnable);
        }
        checkOpen();
        for (int attempt = 1; ; attempt++) {
            t.begin(this);
            R result;
            try {
                if (supplier != null) {
                    result = supplier.get();
                } else {
                    runnable.run();
                    result = null;
                }
                t.commit();
            } catch (ConflictSignal conflict) {
                abandon(t);
                giveUpOrWait(t, attempt);
                continue;
            } catch (RetrySignal blocked) { // retry() (issue #13): wait for a change to what it read, then re-run
                try {
                    retryWaiters.await(t);
                } finally {
                    abandon(t);
                    t.forgetContended();
                }
                attempt = 0; // a wait is not a conflict: the next conflicts count from one
                continue;
            } catch (Throwable failure) {
                abandon(t);
                t.forgetContended();
                throw failure;
            }
            List<Runnable> hooks = t.takeAfterCommit();
            t.end();
            t.forgetContended();
            runHooks(hooks);
            return result;
        }
    }

    private <R> R nested(Txn t, Supplier<R> supplier, Runnable runnable) {
        if (t.group != this) {
            throw new IllegalStateException("a transaction of group '" + t.group.name + "' is running on this thread;"
                    + " a transaction cannot span groups (atomic of group '" + name + "' was called inside it)");
        }
        t.enterNested();
        R result;
        try {
            if (supplier != null) {
                result = supplier.get();
            } else {
                runnable.run();
                result = null;
            }
        } catch (ConflictSignal conflict) {
            throw conflict; // the whole attempt re-runs; the top-level loop resets the nesting
        } catch (Throwable failure) {
            runHooks(t.rollbackNested());
            throw failure;
        }
        t.commitNested();
        return result;
    }

    private void abandon(Txn t) {
        List<Runnable> hooks = t.takeAfterRollback();
        t.end();
        runHooks(hooks);
    }

    private void giveUpOrWait(Txn t, int attempt) {
        checkOpen();
        if (attempt >= maxRetries) {
            throw new TransactionConflictException(name, attempt, List.copyOf(t.takeContended()));
        }
        Backoff.beforeRetry(attempt);
    }

    @FunctionalInterface
    interface LongOp {
        long apply(Txn t, LongBox box, long a, long b);
    }

    @FunctionalInterface
    interface RefOp {
        Object apply(Txn t, RefBox box, Object a, Object b);
    }

    /** A single operation on one {@code long} box outside any scope: its own transaction, no allocation. */
    long runLong(LongBox box, long a, long b, LongOp op) {
        checkOpen();
        Txn t = Txn.current();
        for (int attempt = 1; ; attempt++) {
            t.begin(this);
            try {
                long r = op.apply(t, box, a, b);
                t.commit();
                t.end();
                t.forgetContended();
                return r;
            } catch (ConflictSignal conflict) {
                t.end();
                giveUpOrWait(t, attempt);
            } catch (Throwable failure) {
                t.end();
                t.forgetContended();
                throw failure;
            }
        }
    }

    /** A single operation on one reference box outside any scope: its own transaction. */
    Object runRef(RefBox box, Object a, Object b, RefOp op) {
        checkOpen();
        Txn t = Txn.current();
        for (int attempt = 1; ; attempt++) {
            t.begin(this);
            try {
                Object r = op.apply(t, box, a, b);
                t.commit();
                t.end();
                t.forgetContended();
                return r;
            } catch (ConflictSignal conflict) {
                t.end();
                giveUpOrWait(t, attempt);
            } catch (Throwable failure) {
                t.end();
                t.forgetContended();
                throw failure;
            }
        }
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
        runningTxn("afterCommit").afterCommit(hook);
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
        runningTxn("afterRollback").afterRollback(hook);
    }

    private Txn runningTxn(String what) {
        Txn t = Txn.current();
        if (!t.active || t.group != this) {
            throw new IllegalStateException(what + " needs a running transaction of group '" + name + "' on this thread");
        }
        return t;
    }

    private void runHooks(List<Runnable> hooks) {
        if (hooks == null) {
            return;
        }
        for (Runnable hook : hooks) {
            try {
                hook.run();
            } catch (VirtualMachineError fatal) {
                throw fatal;
            } catch (Throwable e) {
                reportHookFailure(e);
            }
        }
    }

    void reportHookFailure(Throwable e) {
        if (e instanceof VirtualMachineError fatal) {
            throw fatal;
        }
        try {
            hookErrorHandler.accept(e);
        } catch (Throwable ignored) {
            LOG.log(System.Logger.Level.WARNING, "the hook error handler of group '" + name + "' threw", ignored);
        }
    }

    // ================================================================== checkpoints

    /** Takes an unlabelled checkpoint. See {@link #checkpoint(String)}. */
    public Checkpoint checkpoint() {
        return takeCheckpoint(null);
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
        return takeCheckpoint(label);
    }

    private Checkpoint takeCheckpoint(String label) {
        return takeCheckpoint(label, false, false);
    }

    /**
     * With {@code onlyIfChanged}, returns null instead when nothing was logged or created in the current epoch.
     * With {@code pin}, the checkpoint is pinned before anything can trim it (see {@link #trimHistory}).
     */
    private Checkpoint takeCheckpoint(String label, boolean onlyIfChanged, boolean pin) {
        List<Epoch> toRelease;
        Checkpoint cp;
        admin.lock();
        try {
            checkOpen();
            Epoch closing = currentEpoch;
            if (onlyIfChanged && closing.logging && closing.isEmpty() && (durability == null || !durability.owesCheckpoint())) {
                return null; // decided under the admin lock: epoch.created is guarded by it, and no checkpoint races
            }
            cp = new Checkpoint(this, ++checkpointCounter, label, closing, durability != null);
            if (durability != null) {
                durability.checkpointTaken();
            }
            currentEpoch = new Epoch(++epochCounter, true, closing, cp); // the cut: commits reading this epoch are after it
            // Store-load order (Dekker with a committer, which locks a box and then reads the epoch): a view of this
            // checkpoint read right after must not see a box before the new epoch is visible to that committer, or
            // it could miss a commit that still falls before the cut. HotSpot fences volatile stores on x86 anyway;
            // the JMM does not promise it for the acquire loads a view uses (found by the jcstress module's review).
            java.lang.invoke.VarHandle.fullFence();
            history.addLast(cp);
            if (pin) {
                cp.pins++;
                pinnedInHistory++;
            }
            if (durability != null && durability.failed()) {
                cp.failDurable(durability.failureException());
            }
            toRelease = trimHistory();
        } finally {
            admin.unlock();
        }
        releaseAll(toRelease);
        return cp;
    }

    /**
     * Evicts the oldest unpinned checkpoints beyond retention (admin lock held) and returns the epochs to
     * release, oldest first. In a durable group, an epoch after the last durable checkpoint is still the
     * flusher's (its undo list is part of the next flush's dirty set), so checkpoints are evicted only up to it.
     *
     * <p>A pinned checkpoint (a pending speculation's) is never evicted, and neither is anything a rollback to
     * it needs: the epochs after it. A checkpoint after a pinned one that leaves retention is discarded (views
     * of it and rollbacks to it are refused) but the epoch it opened stays on the chain, undo list and all;
     * it is released with the pinned checkpoint's own epoch once the pin is gone and that checkpoint is the
     * oldest to evict. Pinned checkpoints do not count against retention: history holds the newest
     * {@code retain} unpinned checkpoints plus the pinned ones, and memory
     * grows, while a pin stays, by the pre-images taken since it: one per object (or region root) per epoch in
     * which it changed, plus a region's copied pages.
     */
    private List<Epoch> trimHistory() {
        List<Epoch> toRelease = null;
        while (history.size() - pinnedInHistory > retain) {
            // not a stream: this runs on every checkpoint, often before the JIT compiled it
            java.util.Iterator<Checkpoint> it = history.iterator();
            Checkpoint victim = it.next();
            Checkpoint next = null;
            boolean oldest = true;
            while (it.hasNext()) {
                Checkpoint n = it.next();
                if (victim.pins == 0) {
                    next = n;
                    break;
                }
                victim = n;
                oldest = false;
            }
            if (next == null) {
                break; // every checkpoint but the newest is pinned: the newest always stays
            }
            // Only the epoch that the victim opened served it alone: the next checkpoint closed it.
            Epoch epoch = next.closedEpoch;
            if (durability != null && !durability.failed() && epoch.number > durability.durableEpoch()) {
                break;
            }
            victim.markDiscarded();
            epoch.opener = null;
            if (!oldest) {
                history.remove(victim); // its epoch stays linked: a rollback to the older pinned checkpoint walks it
                continue;
            }
            history.removeFirst();
            if (toRelease == null) {
                toRelease = new ArrayList<>(1);
            }
            // The victim's epoch and those of checkpoints evicted behind a pin since (none without pins), oldest first.
            int at = toRelease.size();
            for (Epoch e = epoch; e != null && e != victim.closedEpoch; ) {
                Epoch older = e.previous;
                e.previous = null;
                e.opener = null;
                toRelease.add(at, e);
                e = older;
            }
            releasedUpTo = epoch.number; // committers stop linking pre-images of these epochs from now on
        }
        return toRelease;
    }

    /** Drops one pin of {@code cp} (taken by {@code TxnSpi.pinnedCheckpoint}); trims what it held beyond retention. */
    private void unpin(Checkpoint cp) {
        List<Epoch> toRelease;
        admin.lock();
        try {
            if (cp.pins <= 0) {
                throw new IllegalStateException(cp + " is not pinned");
            }
            cp.pins--;
            if (cp.pins == 0 && cp.isRetained()) {
                pinnedInHistory--; // retained means still in history: only trims and rollbacks take it out
            }
            toRelease = closed ? null : trimHistory();
        } finally {
            admin.unlock();
        }
        releaseAll(toRelease);
    }

    /**
     * Epochs with at most this many pre-images and created objects are released on the calling thread: a few
     * microseconds, where handing them to the maintenance executor costs a thread wake-up, and on a machine
     * with few cores the woken thread preempts the caller for longer than the release itself (R3/R4: a
     * 2 GiB region's checkpoint went from p50 ~130 µs to ~3 µs). A region's epoch is one pre-image whatever
     * its dirty pages, whose dead pages are queued for the region's own allocation path, not freed here.
     */
    static final int INLINE_RELEASE_LIMIT = 64;

    void releaseAll(List<Epoch> epochs) {
        if (epochs == null) {
            return;
        }
        for (Epoch epoch : epochs) {
            if (epoch.isSmallerThan(INLINE_RELEASE_LIMIT)) {
                release(epoch); // a commit that read this epoch late may still log into it: releaseLate handles that
            } else {
                maintenance.execute(() -> release(epoch));
            }
        }
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
        if (durability != null) {
            durability.requestFlush();
        }
        return cp.durable();
    }

    /** Whether the group writes its checkpoints to a durable store. */
    public boolean isDurable() {
        return durability != null;
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
        if (durability != null) {
            return durability.store.log(logName);
        }
        io.aurora4j.store.Store s = logStore;
        if (s == null) {
            admin.lock();
            try {
                s = logStore;
                if (s == null) {
                    s = io.aurora4j.store.Store.memory();
                    logStore = s;
                }
            } finally {
                admin.unlock();
            }
        }
        return s.log(logName);
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
        StateObject o = lookup(id, StateObject.class);
        if (policy == Persistence.EXCLUDED) {
            throw new IllegalArgumentException("only regions can be excluded from checkpoints, when they are built"
                    + " (Region.Builder.excludedFromCheckpoints()); use EPHEMERAL to keep '" + id + "' out of the store");
        }
        if (o instanceof Region r && r.isExcludedFromCheckpoints()) {
            throw new IllegalArgumentException(r + " is excluded from checkpoints: it is never written whatever its policy");
        }
        admin.lock();
        try {
            checkOpen();
            boolean changed = policy == Persistence.EPHEMERAL ? ephemeral.add(id) : ephemeral.remove(id);
            if (changed && durability != null) {
                durability.policyChanged();
            }
        } finally {
            admin.unlock();
        }
    }

    /** How state object {@code id} takes part in persistence. */
    public Persistence persistence(String id) {
        StateObject o = lookup(id, StateObject.class);
        if (o instanceof Region r && r.isExcludedFromCheckpoints()) {
            return Persistence.EXCLUDED;
        }
        return ephemeral.contains(id) ? Persistence.EPHEMERAL : Persistence.DURABLE;
    }

    boolean isPersisted(StateObject o) {
        return !ephemeral.contains(o.id()) && !(o instanceof Region r && r.isExcludedFromCheckpoints());
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
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(out, "out");
        if (checkpoint.group() != this || (base != null && base.group() != this)) {
            throw new IllegalArgumentException("send of group '" + name + "' needs checkpoints of this group, got "
                    + checkpoint + (base == null ? "" : " over " + base));
        }
        if (base != null && base.id() >= checkpoint.id()) {
            throw new IllegalArgumentException("an incremental image goes forward: " + base + " is not older than " + checkpoint);
        }
        io.aurora4j.store.Codecs c = codecs();
        List<UndoEntry> dirty = new ArrayList<>();
        List<StateObject> created = new ArrayList<>();
        List<StateObject> selected = new ArrayList<>();
        admin.lock();
        try {
            checkOpen();
            checkpoint.checkRetained();
            if (base != null) {
                base.checkRetained();
                Epoch e = checkpoint.closedEpoch;
                for (; e != null && e != base.closedEpoch; e = e.previous) {
                    UndoEntry head = e.undoList();
                    if (head != null) {
                        dirty.add(head);
                    }
                    for (StateObject o : e.created) {
                        if (isPersisted(o)) {
                            created.add(o);
                        }
                    }
                }
                if (e == null) {
                    throw new IllegalStateException(base + " is not an ancestor of " + checkpoint);
                }
            }
            long cut = checkpoint.closedEpoch.number;
            for (StateObject o : objects.values()) {
                if (Durability.createdEpoch(o) <= cut && isPersisted(o) && (base == null || o instanceof Region)) {
                    selected.add(o);
                }
            }
        } finally {
            admin.unlock();
        }
        drainCommits(); // commits of the checkpoint's epochs have pushed their pre-images
        io.aurora4j.store.CheckpointWriter w = io.aurora4j.store.Images.writer(out, checkpoint.id(),
                base == null ? -1 : base.id(), checkpoint.label().orElse(null));
        boolean done = false;
        try {
            if (base == null) {
                w.putObject(Durability.GROUP_META_ID, Durability.KIND_GROUP, name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                for (StateObject o : selected) {
                    Durability.writeWhole(o, checkpoint, w, c);
                }
            } else {
                Durability.writeChanges(checkpoint, base.closedEpoch.number, dirty, created, selected, w, c);
            }
            checkpoint.checkRetained(); // pages read above are the checkpoint's only while it is retained
            w.commit();
            done = true;
        } finally {
            if (!done) {
                w.abort();
            }
        }
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

    private io.aurora4j.store.Codecs codecs() {
        return durability != null ? durability.codecs : codecs != null ? codecs : io.aurora4j.store.Codecs.defaults();
    }

    /**
     * Closes the commit gate, waits for the commits in flight to leave it and opens it again (commits that arrive
     * meanwhile re-run): afterwards every commit of an epoch that is already closed has pushed its pre-images.
     * Under the admin lock, so it never interleaves with a rollback's own use of the gate.
     */
    void drainCommits() {
        admin.lock();
        try {
            gate.closeAndDrain();
            gate.open();
        } finally {
            admin.unlock();
        }
    }

    ReentrantLock adminLock() {
        return admin;
    }

    long rollbackCount() {
        return rollbackCounter;
    }

    java.util.Collection<StateObject> stateObjects() {
        return objects.values();
    }

    /**
     * The flusher: a checkpoint if anything changed in the current epoch. Every change pushes a pre-image onto
     * the epoch's undo list (a region's first change in an epoch pushes its root's), so an empty list means
     * nothing changed; a change racing with this check lands in the epoch and is found next period.
     */
    void checkpointIfChanged() {
        takeCheckpoint(null, true, false);
    }

    Checkpoint newestCheckpoint() {
        admin.lock();
        try {
            return history.peekLast();
        } finally {
            admin.unlock();
        }
    }

    /** Admin lock held: {@code cp} is durable; collects the checkpoints it makes durable and evicts what may go. */
    List<Epoch> durableUpTo(Checkpoint cp, List<Checkpoint> nowDurable) {
        for (Checkpoint c : history) {
            if (c.id() <= cp.id() && !c.isDurable()) {
                nowDurable.add(c); // completed by the flusher once the durable listeners have run
            }
        }
        return trimHistory();
    }

    /** The store failed: every checkpoint not yet durable never will be. */
    void durabilityFailed(RuntimeException cause) {
        List<Epoch> toRelease;
        admin.lock();
        try {
            for (Checkpoint c : history) {
                c.failDurable(cause);
            }
            toRelease = trimHistory();
        } finally {
            admin.unlock();
        }
        releaseAll(toRelease);
    }

    /** Unlinks the pre-images of an epoch no retained checkpoint needs, in chunks so checkpoints are not held up. */
    private void release(Epoch epoch) {
        UndoEntry e = epoch.takeUndoList();
        List<TMap.Cell> emptied = new ArrayList<>();
        List<UndoEntry> regionEntries = new ArrayList<>();
        while (e != null) {
            admin.lock();
            try {
                epoch.created.clear();
                int n = 0;
                for (; e != null && n < 4096; n++, e = e.nextInEpoch) {
                    // The entry is the oldest on its box's chain: cut it off the head or off its newer entry.
                    if (!e.box.casHistory(e, null)) {
                        UndoEntry newer = e.newer;
                        if (newer != null) {
                            newer.older = null;
                        }
                    } else if (e.box instanceof TMap.Cell cell) {
                        emptied.add(cell); // its history is gone: purge it if it is empty
                    }
                    if (e.box instanceof RegionRoot) {
                        regionEntries.add(e); // its pages are freed below, outside the admin lock
                    }
                }
                retainedPreImages.add(-n);
            } finally {
                admin.unlock();
            }
        }
        for (TMap.Cell cell : emptied) {
            cell.map.tryPurge(cell);
        }
        for (UndoEntry r : regionEntries) {
            ((RegionRoot) r.box).region.released(r); // pages only this epoch's pre-image held go back to the pool
        }
    }

    /** Releases an epoch into which a commit logged after the epoch left retention. */
    void releaseLate(Epoch epoch) {
        maintenance.execute(() -> release(epoch));
    }

    // ================================================================== fork

    private static final java.util.concurrent.atomic.AtomicLong FORKS = new java.util.concurrent.atomic.AtomicLong();

    /** A fork named after this group ({@code name-fork-N}). See {@link #fork(Checkpoint, String)}. */
    public Group fork(Checkpoint checkpoint) {
        return fork(checkpoint, name + "-fork-" + FORKS.incrementAndGet());
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
        if (checkpoint.group() != this) {
            throw new IllegalArgumentException(checkpoint + " does not belong to group '" + name + "'");
        }
        if (Txn.current().active) {
            throw new IllegalStateException("fork of group '" + name + "' called inside a transaction of group '"
                    + Txn.current().group.name + "': fork from outside any atomic scope");
        }
        checkOpen();
        // A region recovered lazily still has pages only in this group's store, which the fork must not depend on
        // (it may outlive it): load them now, before the admin lock, so checkpoints are not held up by the reads.
        for (StateObject o : objects.values()) {
            if (o instanceof Region r) {
                r.loadStoredPages();
            }
        }
        Builder fb = builder(forkName).retainCheckpoints(retain).maxRetries(maxRetries)
                .hookErrorHandler(hookErrorHandler).maintenanceExecutor(maintenance);
        Group fork = fb.open();
        admin.lock();
        try {
            checkOpen();
            checkpoint.checkRetained();
            // Region pages carry this group's commit versions; the fork's clock starts past them.
            fork.clock.set(clockNow());
            CheckpointView view = checkpoint.view();
            long cut = checkpoint.closedEpoch.number;
            for (StateObject o : objects.values()) {
                String id = o.id();
                if (o instanceof TLong x && x.createdEpoch <= cut) {
                    fork.newLong(id, view.get(x));
                } else if (o instanceof TRef<?> x && x.createdEpoch <= cut) {
                    fork.newRef(id, view.get(x));
                } else if (o instanceof TMap<?, ?> x && x.createdEpoch <= cut) {
                    copyMap(view, x, fork.newMap(id));
                } else if (o instanceof Region r && r.createdEpoch <= cut) {
                    fork.register(id, (version, epoch) -> r.forkInto(fork, checkpoint, version));
                }
            }
        } catch (RuntimeException | Error e) {
            fork.close();
            throw e;
        } finally {
            admin.unlock();
        }
        return fork;
    }

    @SuppressWarnings("unchecked")
    private static <K, V> void copyMap(CheckpointView view, TMap<K, V> from, TMap<?, ?> to) {
        Map<K, V> entries = view.snapshot(from);
        TMap<K, V> target = (TMap<K, V>) to;
        if (!entries.isEmpty()) {
            target.group().atomic(() -> entries.forEach(target::put));
        }
    }

    /** The retained checkpoints, oldest first: a snapshot. */
    public List<Checkpoint> history() {
        admin.lock();
        try {
            return List.copyOf(history);
        } finally {
            admin.unlock();
        }
    }

    /** Rolls back to {@code checkpoint}; the event's cause records who asked. See {@link #rollback(Checkpoint, Throwable)}. */
    public RollbackEvent rollback(Checkpoint checkpoint) {
        return rollback(checkpoint, new RollbackRequested(Thread.currentThread()));
    }

    /**
     * Restores every state object of the group to its value at {@code checkpoint}, while other threads keep
     * running transactions: commits already in flight finish first, every transaction in flight is aborted
     * and re-run against the restored state (none is half-applied), objects created after the checkpoint
     * are discarded (using one throws), and checkpoints taken after it are discarded. The checkpoint itself
     * stays retained and can be rolled back to again. Then every registered listener is notified once, in
     * rollback order, with an event carrying {@code cause}. Costs O(objects changed since the checkpoint).
     *
     * @return the event delivered to the listeners
     * @throws IllegalArgumentException if the checkpoint belongs to another group
     * @throws IllegalStateException if it is no longer retained, the group is closed, or a transaction is
     *                               running on this thread
     */
    public RollbackEvent rollback(Checkpoint checkpoint, Throwable cause) {
        return rollback(checkpoint, cause, null);
    }

    private RollbackEvent rollback(Checkpoint checkpoint, Throwable cause, io.aurora4j.notify.SpeculationInfo speculation) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(cause, "cause");
        if (checkpoint.group() != this) {
            throw new IllegalArgumentException(checkpoint + " does not belong to group '" + name + "'");
        }
        Txn t = Txn.current();
        if (t.active) {
            throw new IllegalStateException("rollback of group '" + name + "' called inside a transaction of group '"
                    + t.group.name + "': roll back from outside any atomic scope");
        }
        RollbackEvent event;
        admin.lock();
        try {
            checkOpen();
            checkpoint.checkRetained();
            long started = System.nanoTime();
            gate.closeAndDrain();
            long restored;
            int discardedCheckpoints = 0;
            long discardedOutputs = 0;
            List<TMap.Cell> emptied = new ArrayList<>();
            try {
                incarnation = incarnation + 1; // every transaction in flight fails its next read or its commit
                // Later checkpoints are marked discarded BEFORE any restored value is written back: a view read
                // validates retention after it read (seqlock style), so a read that saw a restored value then sees
                // the discard and throws instead of returning a mix of two checkpoints (issue #10, item 8).
                while (history.peekLast() != checkpoint) {
                    Checkpoint gone = history.removeLast();
                    gone.markDiscarded();
                    if (gone.pins > 0) {
                        pinnedInHistory--; // its pin holds nothing now; unpin will find it discarded
                    }
                    gone.failDurable(new IllegalStateException(gone + " was discarded by a rollback to " + checkpoint
                            + " before it became durable"));
                    discardedCheckpoints++;
                }
                restored = restoreTo(checkpoint, emptied);
                if (durability != null) {
                    durability.rolledBack(checkpoint);
                }
                currentEpoch = new Epoch(++epochCounter, true, checkpoint.closedEpoch, checkpoint);
                for (RollbackParticipant p : rollbackParticipants) {
                    try {
                        discardedOutputs += p.rolledBack(this, checkpoint.closedEpoch.number);
                    } catch (Throwable e) {
                        reportHookFailure(e);
                    }
                }
            } finally {
                gate.open();
                retryWaiters.wakeIfAny(); // issue #13: waiters re-run against the restored state
            }
            for (TMap.Cell cell : emptied) {
                cell.map.tryPurge(cell);
            }
            RollbackEvent.Builder eb = RollbackEvent.builder(name, ++rollbackCounter, checkpoint, cause)
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
            publishing.lock();
        } finally {
            admin.unlock();
        }
        try {
            notifier.publish(event);
        } finally {
            publishing.unlock();
        }
        return event;
    }

    /** Gate closed and drained, admin lock held. Returns the number of distinct objects restored. */
    private long restoreTo(Checkpoint checkpoint, List<TMap.Cell> emptied) {
        Epoch stop = checkpoint.closedEpoch;
        List<Epoch> undone = new ArrayList<>();
        for (Epoch e = currentEpoch; e != stop; e = e.previous) {
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
        long version = tick();
        for (Epoch e : undone) { // newest epoch first: the last value restored is the oldest pre-image
            UndoEntry u = e.takeUndoList();
            long popped = 0;
            for (; u != null; u = u.nextInEpoch) {
                u.box.restore(u);
                u.box.popHistory(u);
                popped++;
                if (u.oldRef == TMap.ABSENT) {
                    emptied.add((TMap.Cell) u.box);
                }
            }
            retainedPreImages.add(-popped);
        }
        for (Epoch e : undone) { // before unlocking, so no reader sees a discarded object's restored value
            for (StateObject o : e.created) {
                objects.remove(o.id(), o);
                o.discard(version);
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

    /** Registers a listener told of every later rollback, once each, in rollback order, after state is restored. */
    public Registration onRollback(RollbackListener listener) {
        Objects.requireNonNull(listener, "listener");
        checkOpen();
        return notifier.register(listener);
    }

    /** Completes when every rollback event published so far has reached every listener it was for. */
    public CompletableFuture<Void> notificationsDelivered() {
        return notifier.delivered();
    }

    // ================================================================== lifecycle and stats

    /**
     * Closes the group: every later operation on it or its state objects fails with
     * {@link IllegalStateException}. Rollback events already published are still delivered. Idempotent.
     */
    @Override
    public void close() {
        if (durability != null && !closed && !durability.isFlusherThread()) {
            durability.stop(true); // a last checkpoint to disk while the group is still open
        }
        admin.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            retryWaiters.wakeIfAny(); // issue #13: waiters in retry() fail, naming the group
            if (durability != null) {
                for (Checkpoint c : history) {
                    c.failDurable(new IllegalStateException("group '" + name + "' was closed before " + c + " became durable"));
                }
                durability.store.close();
            }
            if (logStore != null) {
                logStore.close();
            }
            for (StateObject o : objects.values()) {
                if (o instanceof Region r) {
                    r.close();
                }
            }
            publishing.lock(); // a rollback that completed publishes its event before the notifier closes
            try {
                notifier.close();
            } finally {
                publishing.unlock();
            }
        } finally {
            admin.unlock();
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
        admin.lock();
        try {
            return new Stats(objects.size(), history.size(), retainedPreImages.sum(), rollbackCounter);
        } finally {
            admin.unlock();
        }
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

    private final java.util.concurrent.atomic.AtomicLong boxOrders = new java.util.concurrent.atomic.AtomicLong();

    long nextBoxOrder() {
        return boxOrders.getAndIncrement();
    }

    long clockNow() {
        return clock.now();
    }

    long tick() {
        return clock.tick();
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
        retainedPreImages.add(n);
    }

    static IllegalArgumentException foreignObject(String what, Group owner, Group running) {
        return new IllegalArgumentException(what + " belongs to group '" + owner.name + "', but the transaction running on this thread is of group '"
                + running.name + "': a transaction cannot span groups");
    }

    /**
     * Configures and opens a {@link Group}. Each setting may be given once; a second call fails naming
     * the value already set. Not thread-safe; {@link #open()} may be called once per builder.
     */
    public static final class Builder {
        private final String name;
        private int retain = 64;
        private boolean retainSet;
        private int maxRetries = 10_000;
        private boolean maxRetriesSet;
        private Executor notificationExecutor;
        private ListenerErrorHandler listenerErrorHandler;
        private Consumer<Throwable> hookErrorHandler;
        private Executor maintenance;
        private io.aurora4j.store.Store store;
        private Duration period;
        private io.aurora4j.store.Codecs codecs;
        private final List<RollbackListener> restoreListeners = new ArrayList<>();
        private boolean opened;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("a group name must not be blank");
            }
        }

        /** How many checkpoints {@link Group#history()} keeps (default 64); older ones are discarded and their memory released. */
        public Builder retainCheckpoints(int count) {
            requireState(!retainSet, "retainCheckpoints was already set to " + retain);
            if (count < 1) {
                throw new IllegalArgumentException("retainCheckpoints must be at least 1, was " + count);
            }
            retain = count;
            retainSet = true;
            return this;
        }

        /** How many attempts a conflicting transaction makes before {@link TransactionConflictException} (default 10,000). */
        public Builder maxRetries(int attempts) {
            requireState(!maxRetriesSet, "maxRetries was already set to " + maxRetries);
            if (attempts < 1) {
                throw new IllegalArgumentException("maxRetries must be at least 1, was " + attempts);
            }
            maxRetries = attempts;
            maxRetriesSet = true;
            return this;
        }

        /** Where rollback listeners run (default: a virtual thread per delivery). */
        public Builder notificationExecutor(Executor executor) {
            requireState(notificationExecutor == null, "notificationExecutor was already set to " + notificationExecutor);
            notificationExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** Told when a rollback listener throws (default: a warning through System.Logger). */
        public Builder listenerErrorHandler(ListenerErrorHandler handler) {
            requireState(listenerErrorHandler == null, "listenerErrorHandler was already set to " + listenerErrorHandler);
            listenerErrorHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** Told when an afterCommit/afterRollback hook throws (default: a warning through System.Logger). */
        public Builder hookErrorHandler(Consumer<Throwable> handler) {
            requireState(hookErrorHandler == null, "hookErrorHandler was already set to " + hookErrorHandler);
            hookErrorHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** Where memory of checkpoints that left retention is released (default: a virtual thread per release). */
        public Builder maintenanceExecutor(Executor executor) {
            requireState(maintenance == null, "maintenanceExecutor was already set to " + maintenance);
            maintenance = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** Set by {@link Group#open(io.aurora4j.store.Store)}: the state it already read for the group's name. */
        private io.aurora4j.store.StoredState recoveredState;

        /**
         * Makes the group durable in {@code store}: checkpoints are written to it in the background, every
         * {@link #checkpointEvery period}, only what changed since the previous one. If the store already holds
         * this group, {@link #open()} recovers the state of its last durable checkpoint first. The group owns the
         * store from then on and closes it when it closes.
         */
        public Builder store(io.aurora4j.store.Store store) {
            requireState(this.store == null, "store was already set to " + (this.store == null ? null : this.store.describe()));
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * How often a durable group takes and writes a checkpoint when something changed (default 10 ms: Aurora's
         * 100 Hz), on a flusher thread of its own. {@link Duration#ZERO} turns periodic checkpoints off: then
         * checkpoints become durable only through {@link Group#barrier()}, which writes on the calling thread.
         */
        public Builder checkpointEvery(Duration period) {
            requireState(this.period == null, "checkpointEvery was already set to " + this.period);
            Objects.requireNonNull(period, "period");
            if (period.isNegative() || (!period.isZero() && period.toNanos() < 100_000)) {
                throw new IllegalArgumentException("checkpointEvery must be zero (no periodic checkpoints) or at least 100 µs, was " + period);
            }
            this.period = period;
            return this;
        }

        /** How {@link TRef} values and {@link TMap} keys and values are written to the store and into images (default {@code Codecs.defaults()}). */
        public Builder codecs(io.aurora4j.store.Codecs codecs) {
            requireState(this.codecs == null, "codecs was already set to " + this.codecs);
            this.codecs = Objects.requireNonNull(codecs, "codecs");
            return this;
        }

        /**
         * Registers a listener before the group opens, so that it hears the restore event of a recovery (its cause
         * is a {@link RestoredFromStore}) as well as every later rollback: the place to reopen what lives outside
         * the group and to replay {@link Group#log durable logs}.
         */
        public Builder onRestore(RollbackListener listener) {
            restoreListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Opens the group; with a {@link #store}, recovers it first.
         *
         * @throws IllegalArgumentException if the store holds another group
         * @throws io.aurora4j.store.StoreException if the store cannot be read
         */
        public Group open() {
            requireState(!opened, "this builder already opened group '" + name + "'");
            if (store == null) {
                requireState(period == null, "checkpointEvery needs a store: set store(...) too");
            }
            if (period == null) {
                period = Duration.ofMillis(10);
            }
            opened = true;
            Group g = new Group(this);
            return store == null ? g : g.startDurable(this);
        }

        private static void requireState(boolean ok, String message) {
            if (!ok) {
                throw new IllegalStateException(message);
            }
        }
    }
}
