package io.aurora4j.txn;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.Codecs;
import io.aurora4j.store.DurableLog;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreException;
import io.aurora4j.store.StoreFailedException;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.spi.StoredState;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One job: making a group's checkpoints durable in a store — Aurora's periodic incremental checkpointing (by default 100 times a
 * second), brought to a group of state objects.
 *
 * <h2>How a flush works</h2>
 * A flusher thread takes a checkpoint every period (only if something changed) and writes the newest retained
 * checkpoint to the store. The first flush, and the first after a rollback to a checkpoint older than what is
 * on disk, writes the whole state as of the checkpoint. Every other flush is <em>incremental</em>: it writes
 * only what changed since the previous durable checkpoint {@code f}. The core already knows what that is: the
 * first commit that writes a box in an epoch pushes the box's pre-image onto that epoch's undo list, so the
 * boxes on the undo lists of the epochs between {@code f} and the checkpoint are exactly the boxes written
 * since {@code f}; their values as of the checkpoint are read like a {@link CheckpointView} reads them (the
 * current value, or the oldest pre-image pushed after the cut). Regions are scanned per leaf: a leaf or page
 * stamped with an epoch after {@code f}'s is new (see {@link Region#pagesAt}). Transactions go on meanwhile;
 * the flusher never blocks them.
 *
 * <h2>What it pins</h2>
 * Until a checkpoint is durable, the group must not release the epochs after the last durable checkpoint
 * (their undo lists are the dirty set, their pre-images the values): {@link EpochTimeline} evicts from its history only
 * checkpoints older than the last durable one, so history may grow beyond its retention while the disk is slow.
 * Before reading an epoch's undo list the flusher closes the commit gate for a moment and waits until every
 * commit in flight has left it ({@link EpochTimeline#drainCommits()}), as a rollback does: a commit that read an epoch
 * before it closed may push its pre-images after the checkpoint was taken. (Sampling the gate's counters without
 * closing it looked sufficient on paper, but let stored checkpoints go wrong under contention once commits waited
 * for locks instead of giving up — {@code DurableCutUnderLoadTest}; the reason is not understood yet.)
 *
 * <h2>Recovery</h2>
 * The group restores every object of the store's last durable checkpoint ({@link #lastDurableState},
 * {@link ObjectFormat#restoreAll}); regions lazily: their pages
 * stay in the store until first touched ({@link StoredPages}), so opening reads no page. The {@link StoredState}
 * they read from stays valid because an unloaded page is in every retained table and a full flush loads every
 * page it writes before the store may reclaim the records it supersedes.
 *
 * <h2>Rollback and failure</h2>
 * A rollback holds the admin lock for its whole restore; a flush reads the rollback count at start and end and
 * aborts the checkpoint it wrote if a rollback ran in between (what it read may be torn). A rollback to a
 * checkpoint older than the newest flushed or flushing one makes the next flush full. A failed write or force
 * fails the store: durability stops for good, every pending and later {@link Checkpoint#durable()} completes
 * exceptionally and boundaries release nothing more (ARCHITECTURE.md invariant 7: fail closed).
 *
 * <h2>A value that cannot be written</h2>
 * Not a failure of the store, so it must not end durability (issue #10, defect 13: one bad {@code put} did). A
 * durable group rejects at the write a value whose class its codecs cannot encode ({@link Storable}); what only
 * encoding finds (an unsupported value inside a container or record, a record beyond
 * {@link io.aurora4j.store.StoreLimits#MAX_RECORD_BYTES}) makes the flush throw an {@link UnwritableValueException}
 * before anything is committed: the flusher aborts that checkpoint (the store keeps its last committed state), fails
 * the durable futures of it and of every earlier checkpoint still waiting, and does not try it again. The next
 * checkpoint is written as usual, incrementally over the last durable one: once the value is overwritten, removed or
 * rolled back, it succeeds and durability goes on. Until then nothing newer is durable, so, as with a slow disk, the
 * group keeps its checkpoints since the last durable one and boundaries hold their outputs.
 *
 * <p>Thread-safe; the flusher is the only writer of the store.
 */
final class StoreDurability implements Durability {
    private static final System.Logger LOG = System.getLogger(StoreDurability.class.getName());

    private final String name;
    private final EpochTimeline timeline;
    private final ObjectRegistry registry;
    private final Consumer<Throwable> hookFailures;
    final Store store;
    private final Codecs codecs;
    private final long periodNanos;
    private final Thread flusher;

    private final ReentrantLock lock = new ReentrantLock();
    /** Held for a whole round: the store has one writer at a time. */
    private final ReentrantLock flushing = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean wakeRequested; // guarded by lock
    private boolean stopping; // guarded by lock

    // guarded by the group's admin lock
    private Checkpoint flushed;
    private long flushingId = -1;
    private boolean needFull = true;
    private long lastDiskId = -1;
    private long lastFullId = -1;
    private boolean owesCheckpoint;

    // guarded by flushing
    /** The last checkpoint rejected for a value that cannot be written; -1 if none. */
    private long rejectedId = -1;
    /** The object and cause of the last rejection while no checkpoint was made durable since; null if none. */
    private String lastRejection;

    private volatile long durableEpoch = -1;
    private volatile long durableId = -1;
    private volatile Throwable failure;
    private final CopyOnWriteArrayList<Runnable> durableListeners = new CopyOnWriteArrayList<>();

    StoreDurability(String name, EpochTimeline timeline, ObjectRegistry registry, Consumer<Throwable> hookFailures,
                    Store store, Codecs codecs, long periodNanos) {
        this.name = name;
        this.timeline = timeline;
        this.registry = registry;
        this.hookFailures = hookFailures;
        this.store = store;
        this.codecs = codecs;
        this.periodNanos = periodNanos;
        // A zero period means no periodic checkpoints and no thread: barriers flush on the caller.
        this.flusher = periodNanos == 0 ? null
                : Thread.ofPlatform().daemon().name("aurora4j-flush-" + name).unstarted(this::run);
    }

    // ================================================================== recovery

    /** The store's last durable checkpoint and its state (reusing {@code alreadyRead} if it is that one), or null. */
    StoredState lastDurableState(StoredState alreadyRead) {
        var last = store.lastDurable();
        if (last.isEmpty()) {
            return null;
        }
        return alreadyRead != null && alreadyRead.checkpoint().id() == last.get().id() ? alreadyRead
                : store.state(last.get().id());
    }

    /**
     * Called once the group is built (restored or empty) with the checkpoint that stands for the store's state:
     * the recovered checkpoint (already durable) or the group's first (to be written in full).
     */
    void start(Checkpoint first, StoredCheckpoint recovered) {
        timeline.admin.lock();
        try {
            if (recovered != null) {
                flushed = first;
                needFull = false;
                lastDiskId = recovered.id();
                durableEpoch = first.closedEpoch.number;
                durableId = first.id();
                timeline.durableAt(durableEpoch);
                first.completeDurable();
            }
        } finally {
            timeline.admin.unlock();
        }
        if (flusher == null) {
            if (recovered == null) {
                flushNow();
            }
            return;
        }
        flusher.start();
        if (recovered == null) {
            requestFlush();
        }
    }

    // ================================================================== the flusher

    private void run() {
        long next = System.nanoTime() + periodNanos;
        for (;;) {
            boolean last;
            lock.lock();
            try {
                for (long wait = next - System.nanoTime(); !stopping && !wakeRequested && wait > 0; wait = next - System.nanoTime()) {
                    wake.awaitNanos(wait);
                }
                wakeRequested = false;
                last = stopping;
            } catch (InterruptedException e) {
                last = true;
            } finally {
                lock.unlock();
            }
            next = System.nanoTime() + periodNanos;
            if (failure != null) {
                return;
            }
            try {
                round();
            } catch (Throwable e) {
                fail(e);
                return;
            }
            if (last) {
                return;
            }
        }
    }

    /**
     * Runs one round on the calling thread (tests and model checks drive flushes this way, deterministically);
     * the flusher thread's rounds and this one never overlap.
     */
    void flushNow() {
        if (failure != null) {
            return; // the checkpoints' durable futures already say why
        }
        try {
            round();
        } catch (RuntimeException | Error e) {
            fail(e);
            throw e;
        }
    }

    /** One period: a checkpoint if anything changed, then the newest checkpoint to disk. One at a time. */
    private void round() {
        flushing.lock();
        try {
            roundLocked();
        } finally {
            flushing.unlock();
        }
    }

    private void roundLocked() {
        if (timeline.isClosed() || failure != null) {
            return;
        }
        try {
            // A checkpoint if anything changed in the current epoch. Every change pushes a pre-image onto the epoch's
            // undo list (a region's first change in an epoch pushes its root's), so an empty list means nothing
            // changed; a change racing with this check lands in the epoch and is found next period.
            timeline.take(null, true, false);
        } catch (IllegalStateException closed) {
            return; // closed meanwhile
        }
        for (int attempt = 0; attempt < 100; attempt++) {
            Checkpoint target = timeline.newest();
            if (target == null || target.id() <= durableId || target.id() == rejectedId) {
                // Nothing new. A rejected checkpoint holds the bad value: it is not tried again. An earlier one is
                // (after a rollback to it, say): it may not hold the value, and a close must flush what the group holds.
                return;
            }
            if (flush(target)) {
                return;
            }
            // a rollback ran during the flush: flush the newest checkpoint after it
        }
    }

    /**
     * Writes {@code cp}; true once it is committed, or rejected because it holds a value that cannot be written;
     * false if a rollback made what was read unusable (nothing was committed).
     */
    private boolean flush(Checkpoint cp) {
        Jfr.FlushEvent event = new Jfr.FlushEvent();
        event.begin();
        long started = System.nanoTime();
        timeline.drainCommits(); // commits that read the closed epochs have pushed their pre-images
        EpochTimeline.Dirty dirty = null;
        List<StateObject> everything;
        boolean full;
        long since;
        long base;
        long rollbacks;
        var admin = timeline.admin;
        admin.lock();
        try {
            if (!cp.isRetained() || timeline.isClosed()) {
                return false;
            }
            rollbacks = timeline.rollbackCount();
            // A full checkpoint now and then is what lets the store reclaim segments of superseded data
            // without rewriting live data (compaction deletes whole segments no retained checkpoint needs).
            full = needFull || flushed == null || (store.suggestFull() && !fullStillRetained());
            if (!full) {
                dirty = timeline.dirtyBetween(flushed, cp);
                full = dirty == null; // the chain is cut only if something went wrong: be safe
            }
            everything = registry.existingAt(cp.closedEpoch.number, !full);
            since = full ? -1 : flushed.closedEpoch.number;
            base = full ? -1 : lastDiskId;
            needFull = false;
            flushingId = cp.id();
        } finally {
            admin.unlock();
        }
        boolean committed = false;
        StoredCheckpoint stored = null;
        try (CheckpointWriter w = store.begin(cp.id(), base, cp.label().orElse(null))) {
            try {
                write(cp, full, since, dirty, everything, w);
            } catch (UnwritableValueException e) {
                w.abort(); // nothing of it reaches the store, which stays as good as it was
                if (cp.isRetained() && rollbacks == rollbackCountNow()) {
                    rejected(cp, e);
                    return true;
                }
                return false; // a rollback ran while it was read: the value may be a torn read; flush the newest
            } catch (IllegalStateException e) {
                if (cp.isRetained() && rollbacks == rollbackCountNow()) {
                    throw e;
                }
                w.abort(); // a rollback discarded the checkpoint while it was read: what was read is torn
                return false;
            }
            admin.lock();
            boolean valid;
            try {
                valid = rollbacks == timeline.rollbackCount() && cp.isRetained();
                if (!valid) {
                    needFull |= full;
                    flushingId = -1;
                }
            } finally {
                admin.unlock();
            }
            if (!valid) {
                w.abort();
                return false;
            }
            stored = w.commit();
            committed = true;
        } finally {
            if (!committed) {
                admin.lock();
                try {
                    needFull |= full;
                    flushingId = -1;
                } finally {
                    admin.unlock();
                }
            }
        }
        if (lastRejection != null) {
            LOG.log(System.Logger.Level.INFO, "group '" + name + "': checkpoint " + cp.id()
                    + " is durable; the value that stopped earlier checkpoints is gone");
            lastRejection = null;
        }
        List<Epoch> toRelease;
        List<Checkpoint> nowDurable = new ArrayList<>();
        admin.lock();
        try {
            flushed = cp;
            flushingId = -1;
            lastDiskId = stored.id();
            if (stored.isFull()) {
                lastFullId = stored.id();
            }
            durableEpoch = cp.closedEpoch.number;
            durableId = cp.id();
            toRelease = timeline.durableUpTo(cp, nowDurable);
        } finally {
            admin.unlock();
        }
        timeline.releaseAll(toRelease);
        GroupCounters counters = timeline.counters();
        if (stored.isFull()) {
            counters.fullFlushes.incrementAndGet();
        }
        counters.flushBytes.addAndGet(stored.bytes());
        counters.flushLatency.record(System.nanoTime() - started);
        if (event.shouldCommit()) {
            event.group = name;
            event.checkpointId = cp.id();
            event.baseId = stored.baseId();
            event.full = stored.isFull();
            event.bytes = stored.bytes();
            event.commit();
        }
        // Listeners (boundaries scheduling their releases) before the futures: once barrier() returns, the outputs
        // the checkpoint covers are already on their way.
        for (Runnable l : durableListeners) {
            try {
                l.run();
            } catch (Throwable e) {
                hookFailures.accept(e);
            }
        }
        for (Checkpoint c : nowDurable) {
            c.completeDurable();
        }
        return true;
    }

    /**
     * {@code cp} holds a value that cannot be written (a store or codec limit, not a failure of the store): it and
     * every earlier checkpoint still waiting will never be durable as such, so their futures fail naming the object
     * (a waiter must not hang on a value nobody may fix). Later checkpoints are tried as usual. Logged once per
     * object and cause, not at every period while the value stays.
     */
    private void rejected(Checkpoint cp, UnwritableValueException e) {
        rejectedId = cp.id();
        for (Checkpoint c : timeline.history()) {
            if (c.id() <= cp.id() && !c.isDurable()) {
                c.failDurable(e);
            }
        }
        String what = e.objectId() + '\u0000' + (e.getCause() == null ? "size" : e.getCause().getMessage());
        if (!what.equals(lastRejection)) {
            LOG.log(System.Logger.Level.WARNING, e.getMessage());
            lastRejection = what;
        }
    }

    /**
     * Whether a full checkpoint we wrote is still among the store's retained ones, after the oldest: then the store's
     * advice to write a full one is stale (it holds until that full checkpoint becomes the oldest retained), and
     * following it would write the whole state at every period (found by the D1 benchmark).
     */
    private boolean fullStillRetained() {
        if (lastFullId < 0) {
            return false;
        }
        List<StoredCheckpoint> retained = store.checkpoints();
        return !retained.isEmpty() && retained.get(0).id() < lastFullId;
    }

    private void write(Checkpoint cp, boolean full, long since, EpochTimeline.Dirty dirty, List<StateObject> everything,
                       CheckpointWriter w) {
        if (full) {
            ObjectFormat.writeGroup(name, w);
            for (StateObject o : everything) {
                if (registry.isPersisted(o)) {
                    ObjectFormat.writeWhole(o, cp, w, codecs);
                }
            }
        } else {
            ObjectFormat.writeChanges(cp, since, dirty, everything, registry::isPersisted, w, codecs);
        }
    }

    private long rollbackCountNow() {
        timeline.admin.lock();
        try {
            return timeline.rollbackCount();
        } finally {
            timeline.admin.unlock();
        }
    }

    // ================================================================== control

    /** Asks the flusher to run a round now rather than at the end of its period. */
    @Override
    public void requestFlush() {
        if (flusher == null) {
            flushNow();
            return;
        }
        lock.lock();
        try {
            wakeRequested = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A persistence policy changed (admin lock held): the next flush rewrites everything. */
    @Override
    public void policyChanged() {
        needFull = true;
    }

    /** A rollback to {@code target} ran (admin lock held): the next flush is full if disk is already past it. */
    @Override
    public void rolledBack(Checkpoint target) {
        // The store's newest id, not the flushed checkpoint's: an earlier rollback may have discarded that one
        // (flushed == null), and a second rollback below the disk then owed nothing (issue #10, the matrix).
        if (target.id() < Math.max(lastDiskId, flushingId)) {
            needFull = true;
            owesCheckpoint = true;
        }
        if (flushed != null && !flushed.isRetained()) {
            flushed = null; // discarded by the rollback; the next flush is full anyway
            needFull = true;
            owesCheckpoint = true;
        }
    }

    /**
     * Admin lock held. Whether the disk holds a state that a rollback undid, with no checkpoint taken since:
     * the next period (or the close) must checkpoint even if nothing changed after the rollback, or a restart
     * would recover what the rollback undid.
     */
    @Override
    public boolean owesCheckpoint() {
        return owesCheckpoint;
    }

    /** Admin lock held: a checkpoint was taken; it holds the rolled-back state if one was owed. */
    @Override
    public void checkpointTaken(Checkpoint cp) {
        owesCheckpoint = false;
        if (failure != null) {
            cp.failDurable(failureException());
        }
    }

    private void fail(Throwable e) {
        if (failure == null) {
            failure = e;
        }
        LOG.log(System.Logger.Level.ERROR, "group '" + name + "' can no longer make checkpoints durable (store "
                + store.describe() + ")", e);
        timeline.failDurable(failureException());
        for (Runnable l : durableListeners) {
            try {
                l.run();
            } catch (Throwable ignored) {
                // listeners check failed() themselves
            }
        }
    }

    /** The exception a durable future completes with after the store failed. */
    StoreException failureException() {
        Throwable f = failure;
        return f instanceof StoreFailedException sfe ? sfe
                : new StoreFailedException("group '" + name + "' failed to make a checkpoint durable in store "
                + store.describe(), f);
    }

    @Override
    public boolean failed() {
        return failure != null;
    }

    @Override
    public boolean isDurable() {
        return true;
    }

    @Override
    public Codecs codecs() {
        return codecs;
    }

    /** The closed-epoch number of the newest durable checkpoint; -1 if none or the store failed. */
    @Override
    public long durableEpoch() {
        return failure != null ? -1 : durableEpoch;
    }

    @Override
    public DurableLog log(String logName) {
        return store.log(logName);
    }

    @Override
    public Runnable onDurable(Runnable listener) {
        durableListeners.add(listener);
        return () -> durableListeners.remove(listener);
    }

    /** Takes a last checkpoint, flushes it and stops the flusher; the group is still open. */
    void stop(boolean finalFlush) {
        if (flusher == null) {
            if (finalFlush && failure == null) {
                try {
                    flushNow();
                } catch (RuntimeException e) {
                    // reported by fail(); closing goes on
                }
            }
            return;
        }
        lock.lock();
        try {
            stopping = true;
            wakeRequested = finalFlush;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        if (!finalFlush) {
            flusher.interrupt();
        }
        boolean interrupted = false;
        for (;;) {
            try {
                flusher.join(TimeUnit.SECONDS.toMillis(60));
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void beforeClose() {
        if (!timeline.isClosed() && !(flusher != null && Thread.currentThread() == flusher)) {
            stop(true); // a last checkpoint to disk while the group is still open
        }
    }

    @Override
    public void close() {
        for (Checkpoint c : timeline.history()) {
            c.failDurable(new IllegalStateException("group '" + name + "' was closed before " + c + " became durable"));
        }
        store.close();
    }
}
