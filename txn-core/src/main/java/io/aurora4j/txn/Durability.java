package io.aurora4j.txn;

import io.aurora4j.store.CheckpointWriter;
import io.aurora4j.store.Codecs;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreException;
import io.aurora4j.store.StoreFailedException;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.StoredState;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Makes a group's checkpoints durable: Aurora's periodic incremental checkpointing (by default 100 times a
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
 * (their undo lists are the dirty set, their pre-images the values): {@link Group} evicts from its history only
 * checkpoints older than the last durable one, so history may grow beyond its retention while the disk is slow.
 * Before reading an epoch's undo list the flusher closes the commit gate for a moment and waits until every
 * commit in flight has left it ({@link Group#drainCommits()}), as a rollback does: a commit that read an epoch
 * before it closed may push its pre-images after the checkpoint was taken. (Sampling the gate's counters without
 * closing it looked sufficient on paper, but let stored checkpoints go wrong under contention once commits waited
 * for locks instead of giving up — {@code DurableCutUnderLoadTest}; the reason is not understood yet.)
 *
 * <h2>Recovery</h2>
 * {@link #recover} restores every object of the store's last durable checkpoint; regions lazily: their pages
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
final class Durability {
    static final byte KIND_GROUP = 0;
    static final byte KIND_LONG = 1;
    static final byte KIND_REF = 2;
    static final byte KIND_MAP = 3;
    static final byte KIND_REGION = 4;
    /** The reserved object holding the group's name; user ids never start with NUL (see {@link Group}). */
    static final String GROUP_META_ID = "\u0000group";

    private static final System.Logger LOG = System.getLogger(Durability.class.getName());

    private final Group group;
    final Store store;
    final Codecs codecs;
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

    Durability(Group group, Store store, Codecs codecs, long periodNanos) {
        this.group = group;
        this.store = store;
        this.codecs = codecs;
        this.periodNanos = periodNanos;
        // A zero period means no periodic checkpoints and no thread: barriers flush on the caller.
        this.flusher = periodNanos == 0 ? null
                : Thread.ofPlatform().daemon().name("aurora4j-flush-" + group.name()).unstarted(this::run);
    }

    // ================================================================== recovery

    /** Restores the group from the store's last durable checkpoint, if any; returns it (or null). Before any use of the group. */
    StoredCheckpoint recover(StoredState alreadyRead) {
        var last = store.lastDurable();
        if (last.isEmpty()) {
            return null;
        }
        StoredState state = alreadyRead != null && alreadyRead.checkpoint().id() == last.get().id() ? alreadyRead
                : store.state(last.get().id());
        for (StoredState.StoredObject o : state.objects()) {
            restoreObject(state, o);
        }
        return last.get();
    }

    /** The group name stored in {@code state}, or null if it holds none. */
    static String storedGroupName(StoredState state) {
        for (StoredState.StoredObject o : state.objects()) {
            if (o.kind() == KIND_GROUP && o.id().equals(GROUP_META_ID)) {
                return new String(o.value(), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private void restoreObject(StoredState state, StoredState.StoredObject o) {
        String id = o.id();
        switch (o.kind()) {
            case KIND_GROUP -> {
                String stored = new String(o.value(), StandardCharsets.UTF_8);
                if (!stored.equals(group.name())) {
                    throw new IllegalArgumentException("store " + store.describe() + " holds group '" + stored
                            + "', not group '" + group.name() + "'");
                }
            }
            case KIND_LONG -> group.newLong(id, readLong(o.value(), 0));
            case KIND_REF -> group.newRef(id, codecs.decode(o.value()));
            case KIND_MAP -> {
                TMap<Object, Object> map = group.newMap(id);
                List<Object[]> batch = new ArrayList<>();
                state.forEachEntry(id, (k, v) -> {
                    batch.add(new Object[] {codecs.decode(k), codecs.decode(v)});
                    if (batch.size() == 1024) {
                        putAll(map, batch);
                    }
                });
                putAll(map, batch);
            }
            case KIND_REGION -> {
                long capacity = readLong(o.value(), 0);
                int pageSize = (int) readLong(o.value(), 8);
                Region r = group.regionBuilder(id).capacity(capacity).storedPageSize(pageSize).create();
                // Lazily: the table gets placeholders that read their page from the state on first touch, so the
                // open costs no page reads (eagerly, reading and copying every page was most of the open).
                r.restoreLazily(state, state.pages(id), store.describe());
            }
            default -> throw new IllegalStateException("store " + store.describe() + " holds object '" + id
                    + "' of unknown kind " + o.kind() + ": written by a newer Aurora4j?");
        }
    }

    private static void putAll(TMap<Object, Object> map, List<Object[]> batch) {
        if (batch.isEmpty()) {
            return;
        }
        map.group().atomic(() -> {
            for (Object[] kv : batch) {
                map.put(kv[0], kv[1]);
            }
        });
        batch.clear();
    }

    /**
     * Called once the group is built (restored or empty) with the checkpoint that stands for the store's state:
     * the recovered checkpoint (already durable) or the group's first (to be written in full).
     */
    void start(Checkpoint first, StoredCheckpoint recovered) {
        group.adminLock().lock();
        try {
            if (recovered != null) {
                flushed = first;
                needFull = false;
                lastDiskId = recovered.id();
                durableEpoch = first.closedEpoch.number;
                durableId = first.id();
                first.completeDurable();
            }
        } finally {
            group.adminLock().unlock();
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
        if (group.isClosed() || failure != null) {
            return;
        }
        try {
            group.checkpointIfChanged();
        } catch (IllegalStateException closed) {
            return; // closed meanwhile
        }
        for (int attempt = 0; attempt < 100; attempt++) {
            Checkpoint target = group.newestCheckpoint();
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
        group.drainCommits(); // commits that read the closed epochs have pushed their pre-images
        List<UndoEntry> dirty = new ArrayList<>();
        List<StateObject> created = new ArrayList<>();
        List<StateObject> everything = new ArrayList<>();
        boolean full;
        long since;
        long base;
        long rollbacks;
        var admin = group.adminLock();
        admin.lock();
        try {
            if (!cp.isRetained() || group.isClosed()) {
                return false;
            }
            rollbacks = group.rollbackCount();
            // A full checkpoint now and then is what lets the store reclaim segments of superseded data
            // without rewriting live data (compaction deletes whole segments no retained checkpoint needs).
            full = needFull || flushed == null || (store.suggestFull() && !fullStillRetained());
            if (!full) {
                Epoch stop = flushed.closedEpoch;
                Epoch e = cp.closedEpoch;
                for (; e != null && e != stop; e = e.previous) {
                    UndoEntry head = e.undoList();
                    if (head != null) {
                        dirty.add(head);
                    }
                    created.addAll(e.created);
                }
                full = e == null; // the chain is cut only if something went wrong: be safe
            }
            long cut = cp.closedEpoch.number;
            for (StateObject o : group.stateObjects()) {
                if (createdEpoch(o) <= cut && (full || o instanceof Region)) {
                    everything.add(o);
                }
            }
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
                write(cp, full, since, dirty, created, everything, w);
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
                valid = rollbacks == group.rollbackCount() && cp.isRetained();
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
            LOG.log(System.Logger.Level.INFO, "group '" + group.name() + "': checkpoint " + cp.id()
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
            toRelease = group.durableUpTo(cp, nowDurable);
        } finally {
            admin.unlock();
        }
        group.releaseAll(toRelease);
        GroupCounters counters = group.counters;
        if (stored.isFull()) {
            counters.fullFlushes.incrementAndGet();
        }
        counters.flushBytes.addAndGet(stored.bytes());
        counters.flushLatency.record(System.nanoTime() - started);
        if (event.shouldCommit()) {
            event.group = group.name();
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
                group.reportHookFailure(e);
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
        for (Checkpoint c : group.history()) {
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

    private void write(Checkpoint cp, boolean full, long since, List<UndoEntry> dirty, List<StateObject> created,
                       List<StateObject> everything, CheckpointWriter w) {
        if (full) {
            w.putObject(GROUP_META_ID, KIND_GROUP, group.name().getBytes(StandardCharsets.UTF_8));
            for (StateObject o : everything) {
                if (group.isPersisted(o)) {
                    writeWhole(o, cp, w, codecs);
                }
            }
        } else {
            writeChanges(cp, since, dirty, persisted(created), persisted(everything), w, codecs);
        }
    }

    private long rollbackCountNow() {
        group.adminLock().lock();
        try {
            return group.rollbackCount();
        } finally {
            group.adminLock().unlock();
        }
    }

    private List<StateObject> persisted(List<StateObject> objects) {
        objects.removeIf(o -> !group.isPersisted(o));
        return objects;
    }

    static long createdEpoch(StateObject o) {
        if (o instanceof TLong x) {
            return x.createdEpoch;
        } else if (o instanceof TRef<?> x) {
            return x.createdEpoch;
        } else if (o instanceof TMap<?, ?> x) {
            return x.createdEpoch;
        } else if (o instanceof Region x) {
            return x.createdEpoch;
        }
        throw new IllegalStateException("unknown state object " + o);
    }

    /** Writes object {@code o} whole, as of {@code cp}. */
    static void writeWhole(StateObject o, Checkpoint cp, CheckpointWriter w, Codecs codecs) {
        if (o instanceof TLong x) {
            w.putObject(x.id(), KIND_LONG, longBytes(CheckpointView.longAt(x, cp)));
        } else if (o instanceof TRef<?> x) {
            w.putObject(x.id(), KIND_REF, encodeRef(codecs, x, cp));
        } else if (o instanceof TMap<?, ?> x) {
            w.putObject(x.id(), KIND_MAP, new byte[0]);
            for (Map.Entry<?, ?> e : x.snapshotAt(cp).entrySet()) {
                byte[] key = Storable.encode(codecs, x, cp.id(), "a key", e.getKey());
                w.putEntry(x.id(), key, encodeEntryValue(codecs, x, cp, key, e.getValue()));
            }
        } else if (o instanceof Region r) {
            if (r.isExcludedFromCheckpoints()) {
                return;
            }
            w.putObject(r.id(), KIND_REGION, regionMeta(r));
            r.pagesAt(cp, -1, (index, page, length) -> w.putPage(r.id(), index, page, 0, length));
        }
    }

    /** Writes what changed after the epoch {@code since}, as of {@code cp}. */
    static void writeChanges(Checkpoint cp, long since, List<UndoEntry> dirty, List<StateObject> created,
                             List<StateObject> regions, CheckpointWriter w, Codecs codecs) {
        IdentityHashMap<Object, Boolean> done = new IdentityHashMap<>();
        for (StateObject o : created) { // objects first, so their entries and pages follow them
            if (done.put(o, Boolean.TRUE) == null) {
                writeWhole(o, cp, w, codecs);
            }
        }
        for (UndoEntry head : dirty) {
            for (UndoEntry u = head; u != null; u = u.nextInEpoch) {
                VBox b = u.box;
                if (done.put(b, Boolean.TRUE) != null) {
                    continue;
                }
                if (b instanceof TLong x) {
                    if (x.group().isPersisted(x)) {
                        w.putObject(x.id(), KIND_LONG, longBytes(CheckpointView.longAt(x, cp)));
                    }
                } else if (b instanceof TRef<?> x) {
                    if (!x.group().isPersisted(x)) {
                        continue;
                    }
                    w.putObject(x.id(), KIND_REF, encodeRef(codecs, x, cp));
                } else if (b instanceof TMap.Cell c) {
                    if (done.containsKey(c.map) || !c.map.group().isPersisted(c.map)) {
                        continue; // created in the window (written whole above), or not persisted
                    }
                    Object v = CheckpointView.refAt(c, cp);
                    byte[] key = Storable.encode(codecs, c.map, cp.id(), "a key", c.key);
                    if (v == TMap.ABSENT) {
                        w.removeEntry(c.map.id(), key);
                    } else {
                        w.putEntry(c.map.id(), key, encodeEntryValue(codecs, c.map, cp, key, v));
                    }
                }
                // TMap size stripes are derived state; region roots are handled per region below
            }
        }
        for (StateObject o : regions) {
            Region r = (Region) o;
            if (!done.containsKey(r) && !r.isExcludedFromCheckpoints()) {
                r.pagesAt(cp, since, (index, page, length) -> w.putPage(r.id(), index, page, 0, length));
            }
        }
    }

    /** A ref's value as of {@code cp}, encoded and checked against the record limit, or an {@link UnwritableValueException}. */
    private static byte[] encodeRef(Codecs codecs, TRef<?> x, Checkpoint cp) {
        byte[] value = Storable.encode(codecs, x, cp.id(), "a value", CheckpointView.refAt(x, cp));
        Storable.checkRecord(x, cp.id(), value.length);
        return value;
    }

    /** An entry's value, encoded and checked with its key against the record limit, or an {@link UnwritableValueException}. */
    private static byte[] encodeEntryValue(Codecs codecs, TMap<?, ?> map, Checkpoint cp, byte[] key, Object v) {
        byte[] value = Storable.encode(codecs, map, cp.id(), "a value", v);
        Storable.checkRecord(map, cp.id(), (long) key.length + value.length);
        return value;
    }

    static byte[] regionMeta(Region r) {
        byte[] b = new byte[16];
        putLong(b, 0, r.capacity());
        putLong(b, 8, r.pageSize());
        return b;
    }

    static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        putLong(b, 0, v);
        return b;
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (v >>> (56 - 8 * i));
        }
    }

    static long readLong(byte[] b, int at) {
        if (b.length < at + 8) {
            throw new IllegalStateException("a stored value is " + b.length + " bytes, expected at least " + (at + 8));
        }
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }

    // ================================================================== control

    /** Asks the flusher to run a round now rather than at the end of its period. */
    void requestFlush() {
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
    void policyChanged() {
        needFull = true;
    }

    /** A rollback to {@code target} ran (admin lock held): the next flush is full if disk is already past it. */
    void rolledBack(Checkpoint target) {
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
    boolean owesCheckpoint() {
        return owesCheckpoint;
    }

    /** Admin lock held: a checkpoint was taken; it holds the rolled-back state if one was owed. */
    void checkpointTaken() {
        owesCheckpoint = false;
    }

    private void fail(Throwable e) {
        if (failure == null) {
            failure = e;
        }
        LOG.log(System.Logger.Level.ERROR, "group '" + group.name() + "' can no longer make checkpoints durable (store "
                + store.describe() + ")", e);
        group.durabilityFailed(failureException());
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
                : new StoreFailedException("group '" + group.name() + "' failed to make a checkpoint durable in store "
                + store.describe(), f);
    }

    boolean failed() {
        return failure != null;
    }

    /** The closed-epoch number of the newest durable checkpoint; -1 if none. */
    long durableEpoch() {
        return durableEpoch;
    }

    Runnable onDurable(Runnable listener) {
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

    boolean isFlusherThread() {
        return flusher != null && Thread.currentThread() == flusher;
    }
}
