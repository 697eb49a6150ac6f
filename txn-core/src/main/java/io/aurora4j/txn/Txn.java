package io.aurora4j.txn;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One thread's transaction descriptor, reused across that thread's transactions so that a transaction
 * allocates nothing on its common paths.
 *
 * <h2>Algorithm</h2>
 * TL2 (Dice, Shalev, Shavit, DISC 2006) with LSA-style snapshot extension (Riegel, Felber, Fetzer,
 * DISC 2006). A transaction samples the group clock as its read version {@code rv}. A read takes a
 * seqlock snapshot of the box and accepts it only if the box's version is at most {@code rv}; a newer
 * version triggers an extension: the whole read set is revalidated and {@code rv} moves to the present,
 * or the attempt aborts. So every value a body sees belongs to one consistent snapshot (opacity), and a
 * body can never loop or throw on a torn read. Writes are buffered. Commit enters the commit gate, locks
 * the write set, reads the current epoch (its place in the checkpoint cut), takes a write version from the
 * clock, revalidates the reads (always: commits do not move the clock, see {@link Clock}; a read just before its
 * box's first write is validated by that box's lock instead, see {@link #moveReadToWrite}), pushes pre-images
 * for first writes in a logging epoch, writes back and releases each lock with the new version.
 *
 * <p>Confined to its thread, as are its parts, each created on first use and kept: {@link TxnHooks} (hooks,
 * staged sink items, map cells to purge), {@link ContendedObjects}, {@link HotRegions}, {@link RegionTxn}; and the
 * static {@link WriteSetOrder}, {@link WriteSetIndex}, {@link WriteSetLocks} and {@link WriteBack} over its write-set arrays.
 *
 * <h2>Nesting</h2>
 * A nested {@code atomic} takes a savepoint (write-set size, overwrite-log size; hook counts in {@link TxnHooks}). If its
 * body throws, the write set is cut back to the savepoint, values it overwrote are restored from the
 * overwrite log, its after-commit hooks are dropped and its after-rollback hooks run; the reads it made
 * stay in the read set, which can only cause extra (safe) aborts.
 */
final class Txn {
    private static final ThreadLocal<Txn> CURRENT = ThreadLocal.withInitial(Txn::new);
    private static final AtomicInteger STRIPES = new AtomicInteger();
    private static final int LINEAR_LIMIT = 8;
    private static final int LOCK_SPINS = 256;
    private static final int SHRINK_ABOVE = 4096;
    /** How far back from the newest read a first write looks for its own read (see {@link #moveReadToWrite}). */
    private static final int READ_FOR_WRITE_WINDOW = 4;
    /** {@link #writeReadMetas}: the box was not read before its first write (lock words are never negative). */
    static final long NOT_READ = -1;

    static Txn current() {
        return CURRENT.get();
    }

    /** Runs the thread's access guard, if any, before a single read outside a transaction. */
    void checkGuard(Group g) {
        io.aurora4j.txn.spi.AccessGuard a = guard;
        if (a != null) {
            a.check(g);
        }
    }

    /** A per-thread number, distinct for the first threads that use it: picks a TMap size stripe. */
    final int stripe = STRIPES.getAndIncrement();

    Group group;
    boolean active;
    /**
     * The access guard bound to this thread (TxnSpi.runGuarded), or null: almost always null, so the check
     * costs the hot paths one load and compare of a field of an object they already hold.
     */
    io.aurora4j.txn.spi.AccessGuard guard;
    /** This thread's counter cell in the group it last committed in (GroupCounters); a cache, never shared. */
    GroupCounters.Cell counterCell;
    /** The JFR conflict event of the transaction running, once it has conflicted and the event is enabled; else null. */
    Jfr.TransactionConflictEvent conflictEvent;
    private boolean doomed;
    private int depth;
    private long rv;
    private long incarnation;

    private VBox[] readBoxes = new VBox[16];
    private long[] readMetas = new long[16];
    private int readCount;

    private VBox[] writeBoxes = new VBox[8];
    private long[] writeLongs = new long[8];
    private Object[] writeRefs = new Object[8];
    /** Each written box's lock order ({@link VBox#order}), copied at its first write: the commit sorts without the boxes. */
    private long[] writeOrders = new long[8];
    /**
     * The lock word a written box had when this attempt read it just before its first write (read-modify-write), or
     * {@link #NOT_READ}: such a read leaves the read set, and the commit's lock CAS, which expects exactly this word,
     * validates it (see {@link #moveReadToWrite}).
     */
    private long[] writeReadMetas = new long[8];
    private long[] lockedMetas = new long[8];
    private int writeCount;
    private int[] writeIndex; // WriteSetIndex: slot holds write index + 1; valid while indexedCount == writeCount
    private int indexedCount = -1;

    private static final int SAVEPOINT_INTS = 2;
    private int[] savepoints = new int[4 * SAVEPOINT_INTS];
    private int[] overwrittenIndex = new int[8];
    private long[] overwrittenLong = new long[8];
    private Object[] overwrittenRef = new Object[8];
    private int overwrittenCount;

    /** Hooks, staged sink items and map cells to purge; created on the thread's first use of one (TxnHooks). */
    private TxnHooks hooks;

    /** Objects whose conflicts aborted attempts of the current atomic call (ContendedObjects); created at the first. */
    private ContendedObjects contended;

    /** Regions whose raw hot page this thread set (HotRegions): reset before its next transaction; null until one. */
    private HotRegions hotRegions;

    /** This thread made a page of {@code r} hot in raw mode. */
    void noteHotRegion(Region r) {
        if (hotRegions == null) {
            hotRegions = new HotRegions();
        }
        hotRegions.note(r);
    }

    /**
     * The timeout of the running {@code atomic(Duration, ...)} call and its deadline ({@link System#nanoTime()}), or
     * null: kept across the call's attempts, so its waits in retry() share one deadline (see RetryWaiters).
     */
    java.time.Duration retryTimeout;
    long retryDeadline;

    /** Region pages read and written by the attempt; created on the thread's first region access. */
    private RegionTxn regions;

    // ------------------------------------------------------------------ lifecycle

    void begin(Group g) {
        if (guard != null) {
            guard.check(g); // first: a refused attempt has changed nothing
        }
        if (hotRegions != null && hotRegions.count != 0) {
            hotRegions.drop();
        }
        if (group != g) {
            group = g; // only when it changes: a reference store into this long-lived object costs a GC barrier
        }
        active = true;
        doomed = false;
        depth = 0;
        incarnation = g.incarnation();
        rv = g.clockNow();
    }

    /** Ends an attempt (committed or aborted) and forgets its sets. */
    void end() {
        active = false;
        if (regions != null) {
            regions.end(); // shadows of an attempt that did not commit go back to their pools
        }
        for (int i = 0; i < writeCount; i++) {
            writeRefs[i] = null;
        }
        for (int i = 0; i < overwrittenCount; i++) {
            overwrittenRef[i] = null;
        }
        if (readBoxes.length > SHRINK_ABOVE && readCount < SHRINK_ABOVE / 4) {
            readBoxes = new VBox[16];
            readMetas = new long[16];
        } else {
            for (int i = 0; i < readCount; i++) {
                readBoxes[i] = null;
            }
        }
        if (writeBoxes.length > SHRINK_ABOVE && writeCount < SHRINK_ABOVE / 4) {
            writeBoxes = new VBox[8];
            writeLongs = new long[8];
            writeRefs = new Object[8];
            writeOrders = new long[8];
            writeReadMetas = new long[8];
            lockedMetas = new long[8];
            writeIndex = null;
        } else {
            for (int i = 0; i < writeCount; i++) {
                writeBoxes[i] = null;
            }
        }
        readCount = 0;
        writeCount = 0;
        indexedCount = -1; // the table still holds this attempt's entries: rebuilt when next needed
        overwrittenCount = 0;
        depth = 0;
        if (hooks != null) {
            hooks.end(); // staged items forgotten, empty map cells purged
        }
    }

    boolean isNested() {
        return depth > 0;
    }

    // ------------------------------------------------------------------ access checks

    private void check(VBox b) {
        if (b.group != group) {
            throw Group.foreignObject(b.describe(), b.group, group);
        }
        if (doomed) {
            throw new ConflictSignal();
        }
    }

    ConflictSignal abort(VBox culprit) {
        doomed = true;
        if (culprit != null) {
            contended().note(culprit);
        }
        return new ConflictSignal();
    }

    /** The objects whose conflicts aborted attempts of the current atomic call (for the give-up message, JFR). */
    ContendedObjects contended() {
        if (contended == null) {
            contended = new ContendedObjects();
        }
        return contended;
    }

    /** Whether the group was rolled back since this attempt began (its abort's cause); before {@link #end()}. */
    boolean rolledBackUnder() {
        return group != null && group.incarnation() != incarnation;
    }

    void forgetContended() {
        if (contended != null) {
            contended.forget();
        }
    }

    // ------------------------------------------------------------------ reads

    long readLong(LongBox b) {
        check(b);
        if (writeCount != 0) {
            int i = findWrite(b);
            if (i >= 0) {
                return writeLongs[i];
            }
        }
        for (int spins = 0; ; spins++) {
            long m = b.lvMeta();
            if ((m & VBox.LOCKED) != 0) {
                awaitUnlocked(b, m, spins);
                continue;
            }
            long v = b.loValue();
            if (b.lpMetaAfterFence() != m) {
                continue;
            }
            if (VBox.version(m) > rv) {
                extend(VBox.version(m));
                continue;
            }
            addRead(b, m);
            return v;
        }
    }

    Object readRef(RefBox b) {
        check(b);
        if (writeCount != 0) {
            int i = findWrite(b);
            if (i >= 0) {
                return writeRefs[i];
            }
        }
        for (int spins = 0; ; spins++) {
            long m = b.lvMeta();
            if ((m & VBox.LOCKED) != 0) {
                awaitUnlocked(b, m, spins);
                continue;
            }
            Object v = b.loValue();
            if (b.lpMetaAfterFence() != m) {
                continue;
            }
            if (VBox.version(m) > rv) {
                extend(VBox.version(m));
                continue;
            }
            addRead(b, m);
            return v;
        }
    }

    void awaitUnlocked(VBox b, long m, int spins) {
        if ((m & VBox.DEAD) != 0) {
            if (b.isRetired()) {
                throw abort(null); // an empty map cell was purged: the re-run looks the key up again
            }
            throw b.discardedError();
        }
        if (spins > LOCK_SPINS) {
            throw abort(b);
        }
        Backoff.spin(spins);
    }

    private void addRead(VBox b, long m) {
        int n = readCount;
        if (n == readBoxes.length) {
            readBoxes = java.util.Arrays.copyOf(readBoxes, n * 2);
            readMetas = java.util.Arrays.copyOf(readMetas, n * 2);
        }
        readBoxes[n] = b;
        readMetas[n] = m;
        readCount = n + 1;
    }

    /**
     * Moves the snapshot up to {@code seen} (a version newer than it, just read) if nothing read so
     * far has changed; otherwise aborts. The clock is moved first (commits do not move it, see {@link Clock}), and
     * the read set is validated after: a commit whose version the new snapshot covers observed the clock before
     * this move, hence locked its write set before this validation.
     */
    private void extend(long seen) {
        long now = group.advanceClockTo(seen);
        if (group.incarnation() != incarnation) {
            throw abort(null);
        }
        for (int i = 0; i < readCount; i++) {
            VBox b = readBoxes[i];
            if (b.lvMeta() != readMetas[i]) {
                throw abort(b);
            }
        }
        VBox changedBeforeWrite = WriteSetLocks.changedRead(writeBoxes, writeReadMetas, writeCount);
        if (changedBeforeWrite != null) {
            throw abort(changedBeforeWrite);
        }
        if (regions != null) {
            VBox changed = regions.validate();
            if (changed != null) {
                throw abort(changed);
            }
        }
        rv = now;
    }

    // ------------------------------------------------------------------ writes

    void writeLong(LongBox b, long v) {
        check(b);
        int i = writeCount == 0 ? -1 : findWrite(b);
        if (i >= 0) {
            if (depth > 0) {
                logOverwrite(i);
            }
            writeLongs[i] = v;
            return;
        }
        i = appendWrite(b);
        writeLongs[i] = v;
        moveReadToWrite(b, i);
    }

    void writeRef(RefBox b, Object v) {
        check(b);
        int i = writeCount == 0 ? -1 : findWrite(b);
        if (i >= 0) {
            if (depth > 0) {
                logOverwrite(i);
            }
            writeRefs[i] = v;
            return;
        }
        i = appendWrite(b);
        writeRefs[i] = v;
        moveReadToWrite(b, i);
    }

    private int appendWrite(VBox b) {
        int n = writeCount;
        if (n == writeBoxes.length) {
            int cap = n * 2;
            writeBoxes = java.util.Arrays.copyOf(writeBoxes, cap);
            writeLongs = java.util.Arrays.copyOf(writeLongs, cap);
            writeRefs = java.util.Arrays.copyOf(writeRefs, cap);
            writeOrders = java.util.Arrays.copyOf(writeOrders, cap);
            writeReadMetas = java.util.Arrays.copyOf(writeReadMetas, cap);
            lockedMetas = java.util.Arrays.copyOf(lockedMetas, cap);
        }
        writeBoxes[n] = b;
        writeOrders[n] = b.order;
        writeReadMetas[n] = NOT_READ;
        writeCount = n + 1;
        indexAppended(n);
        return n;
    }

    /**
     * A first write of {@code b} (write entry {@code i}) right after reading it: the read moves from the read set onto
     * the write entry. The commit then locks {@code b} only if its lock word is still the one read, which validates the
     * read for good (nobody changes a box we hold), so it needs no validation pass, no look-up of the write set and no
     * second visit of the box; {@link #extend} and {@link #readsChanged} check it with the reads. Only the newest few
     * reads are searched: read-modify-write reads its box just before writing it.
     */
    private void moveReadToWrite(VBox b, int i) {
        int stop = Math.max(0, readCount - READ_FOR_WRITE_WINDOW);
        for (int j = readCount - 1; j >= stop; j--) {
            if (readBoxes[j] == b) {
                writeReadMetas[i] = readMetas[j];
                int last = readCount - 1;
                readBoxes[j] = readBoxes[last];
                readMetas[j] = readMetas[last];
                readBoxes[last] = null;
                readCount = last;
                return;
            }
        }
    }

    private int findWrite(VBox b) {
        int n = writeCount;
        if (n <= LINEAR_LIMIT) {
            for (int i = n - 1; i >= 0; i--) {
                if (writeBoxes[i] == b) {
                    return i;
                }
            }
            return -1;
        }
        if (indexedCount != n) {
            writeIndex = WriteSetIndex.rebuild(writeIndex, writeOrders, n);
            indexedCount = n;
        }
        int[] table = writeIndex;
        int mask = table.length - 1;
        for (int s = VBox.hashOf(b.order) & mask; ; s = (s + 1) & mask) {
            int e = table[s];
            if (e == 0) {
                return -1;
            }
            if (writeBoxes[e - 1] == b) {
                return e - 1;
            }
        }
    }

    /** Keeps the index current on append while it has room (load at most 1/2); otherwise it is rebuilt lazily. */
    private void indexAppended(int i) {
        if (writeIndex != null && indexedCount == i && (i + 1) * 2 <= writeIndex.length) {
            WriteSetIndex.insert(writeIndex, writeOrders, i);
            indexedCount = i + 1;
        }
    }

    private void logOverwrite(int i) {
        int n = overwrittenCount;
        if (n == overwrittenIndex.length) {
            overwrittenIndex = java.util.Arrays.copyOf(overwrittenIndex, n * 2);
            overwrittenLong = java.util.Arrays.copyOf(overwrittenLong, n * 2);
            overwrittenRef = java.util.Arrays.copyOf(overwrittenRef, n * 2);
        }
        overwrittenIndex[n] = i;
        overwrittenLong[n] = writeLongs[i];
        overwrittenRef[n] = writeRefs[i];
        overwrittenCount = n + 1;
    }

    // ------------------------------------------------------------------ hooks (see TxnHooks)

    /** The attempt's hooks, staged items and purge candidates, created on the thread's first use at the current depth. */
    TxnHooks hooks() {
        if (hooks == null) {
            hooks = new TxnHooks(depth);
        }
        return hooks;
    }

    /** Removes and returns the after-commit hooks of the attempt (null when none); drops its after-rollback hooks. */
    List<Runnable> takeAfterCommit() {
        return hooks == null ? null : hooks.takeAfterCommit();
    }

    /** Removes and returns the after-rollback hooks of the attempt (null when none); drops its after-commit hooks. */
    List<Runnable> takeAfterRollback() {
        return hooks == null ? null : hooks.takeAfterRollback();
    }

    // ------------------------------------------------------------------ nesting

    void enterNested() {
        int base = depth * SAVEPOINT_INTS;
        if (base + SAVEPOINT_INTS > savepoints.length) {
            savepoints = java.util.Arrays.copyOf(savepoints, savepoints.length * 2);
        }
        savepoints[base] = writeCount;
        savepoints[base + 1] = overwrittenCount;
        if (hooks != null) {
            hooks.enterNested(depth);
        }
        depth++;
        if (regions != null) {
            regions.enterNested();
        }
    }

    /** The nested body returned normally: its writes and hooks now belong to the enclosing scope. */
    void commitNested() {
        depth--;
        if (regions != null) {
            regions.commitNested();
        }
        if (depth == 0) {
            for (int i = 0; i < overwrittenCount; i++) {
                overwrittenRef[i] = null;
            }
            overwrittenCount = 0;
        }
    }

    /**
     * The nested body threw: undoes its writes and returns its after-rollback hooks for the caller to run.
     */
    List<Runnable> rollbackNested() {
        depth--;
        if (regions != null) {
            regions.rollbackNested();
        }
        int base = depth * SAVEPOINT_INTS;
        int keepWrites = savepoints[base];
        int keepOverwrites = savepoints[base + 1];
        for (int k = overwrittenCount - 1; k >= keepOverwrites; k--) {
            int i = overwrittenIndex[k];
            if (i < keepWrites) {
                writeLongs[i] = overwrittenLong[k];
                writeRefs[i] = overwrittenRef[k];
            }
            overwrittenRef[k] = null;
        }
        overwrittenCount = keepOverwrites;
        for (int i = keepWrites; i < writeCount; i++) {
            if (writeReadMetas[i] != NOT_READ) {
                addRead(writeBoxes[i], writeReadMetas[i]); // the body may have used what it read: still validated
            }
            writeBoxes[i] = null;
            writeRefs[i] = null;
        }
        writeCount = keepWrites;
        indexedCount = -1; // rebuilt on the next lookup that needs it
        return hooks == null ? null : hooks.rollbackNested(depth); // its staged items and hooks, cut back too
    }

    // ------------------------------------------------------------------ commit

    /** Commits the attempt or throws {@link ConflictSignal}; on any exit the attempt holds no lock. */
    void commit() {
        if (doomed) {
            throw new ConflictSignal();
        }
        Group g = group;
        g.checkOpen();
        int n = writeCount;
        if (n == 0 && (regions == null || !regions.hasWrites())) {
            if (hooks == null || !hooks.hasStaged()) {
                if (g.incarnation() != incarnation) {
                    throw abort(null);
                }
                return;
            }
            // Staged items of a read-only transaction go out inside the commit gate, as a writer's do: a
            // rollback either waits for this delivery (so its participants see the items) or aborts it.
            // Outside the gate, a rollback could run whole between the incarnation check and the delivery,
            // and the items would escape its participants tagged with the new epoch.
            int slot = g.gate.enter(stripe);
            if (slot < 0) {
                throw abort(null);
            }
            try {
                if (g.incarnation() != incarnation) {
                    throw abort(null);
                }
                hooks.deliverStaged(g, rv, g.currentEpoch().number);
            } finally {
                g.gate.exit(slot);
            }
            return;
        }
        int slot = g.gate.enter(stripe);
        if (slot < 0) {
            throw abort(null);
        }
        int locked = 0;
        Epoch lateEpoch = null;
        try {
            if (WriteSetLocks.lockAll(this, writeBoxes, writeOrders, writeLongs, writeRefs, writeReadMetas, lockedMetas, n)) {
                indexedCount = -1; // sorted: the write index is stale, rebuilt on its next use (validation's findWrite)
            }
            locked = n;
            if (regions != null && regions.hasWrites()) {
                regions.lock(); // after the boxes; like them, gives up (aborts) rather than wait forever
            }
            // The commit's place in the checkpoint cut: read with every box of the write set locked and
            // before validation. A commit that later overwrites something this one read must lock it before
            // reading the epoch; if that happened before our validation we abort, so it reads the epoch after
            // us; and a commit that reads our writes waits for our unlock. So the cut is always a prefix of
            // the serialization order (ConsistentCutTest) — provided validation runs whenever the epoch moved
            // since begin (below).
            Epoch epoch = g.currentEpoch();
            boolean logging = epoch.logging;
            long epochNumber = epoch.number;
            long releasedUpTo = logging ? g.releasedUpTo() : 0;
            long overwritten = 0;
            for (int i = 0; i < n; i++) {
                overwritten = Math.max(overwritten, lockedMetas[i]);
            }
            if (regions != null && regions.hasWrites()) {
                overwritten = Math.max(overwritten, regions.lockedMetaMax());
            }
            long wv = g.commitVersion(VBox.version(overwritten)); // above every version it replaces: no ABA for validators
            if (g.incarnation() != incarnation) {
                throw abort(null);
            }
            // Always validated: TL2 skips validation when the clock moved by one since rv (no other commit
            // between), but commits here do not move the clock (Clock), so nothing tells that no commit came
            // between. Validation after the epoch read is also what keeps the checkpoint cut a prefix of the
            // serialization order (issue #13's anti-dependency, AntiDependencyCutTest).
            validateForCommit();
            lateEpoch = WriteBack.apply(this, g, writeBoxes, writeLongs, writeRefs, n, epoch, releasedUpTo);
            if (regions != null && regions.hasWrites()) {
                Epoch late = regions.install(epoch, wv, releasedUpTo); // same epoch as the boxes: one side of the cut
                if (late != null) {
                    lateEpoch = late;
                }
            }
            if (hooks != null && hooks.hasStaged()) {
                hooks.deliverStaged(g, wv, epochNumber); // still under the locks: conflicting commits arrive in order
            }
            long published = wv << 2;
            for (int i = 0; i < n; i++) {
                writeBoxes[i].soMeta(published); // release: the value written above is visible with the version
            }
            if (regions != null) {
                regions.unlock(wv);
            }
            locked = 0;
        } catch (Throwable t) {
            WriteSetLocks.unlock(writeBoxes, lockedMetas, locked);
            if (regions != null) {
                regions.unlockUnchanged();
            }
            throw t;
        } finally {
            g.gate.exit(slot);
        }
        g.retryWaiters.wakeIfAny(); // one volatile read when nobody waits in retry(); after the CASes above (RetryWaiters)
        if (lateEpoch != null) {
            g.releaseLate(lateEpoch); // after the gate: a release takes the admin lock, which a rollback holds while draining
        }
    }

    private void validateForCommit() {
        for (int i = 0; i < readCount; i++) {
            VBox b = readBoxes[i];
            long m = b.lvMeta();
            long expected = readMetas[i];
            if (m == expected) {
                continue;
            }
            if (m == (expected | VBox.LOCKED) && findWrite(b) >= 0) {
                continue; // locked by this commit, unchanged since read
            }
            throw abort(b);
        }
        if (regions != null) {
            VBox changed = regions.validate();
            if (changed != null) {
                throw abort(changed);
            }
        }
    }

    // ------------------------------------------------------------------ retry (see RetryWaiters)

    /**
     * Whether the attempt read anything that a change could wake it on. ({@code regions} outlives the attempt, so its
     * presence says nothing about this one: RetryOrElseTest's retry with nothing read after a region transaction.)
     */
    boolean hasReads() {
        return readCount != 0 || WriteSetLocks.hasRead(writeReadMetas, writeCount)
                || (regions != null && regions.hasReads());
    }

    /**
     * Whether something the attempt read has changed since (a box's lock word moved, a page was replaced) or the
     * group was rolled back: a retry() waits while this is false. Reads lock words as they are now, so a commit
     * holding one of them locked counts as a change (the re-run then waits for its lock like any read).
     */
    boolean readsChanged() {
        if (group.incarnation() != incarnation) {
            return true;
        }
        for (int i = 0; i < readCount; i++) {
            if (readBoxes[i].lvMeta() != readMetas[i]) {
                return true;
            }
        }
        if (WriteSetLocks.changedRead(writeBoxes, writeReadMetas, writeCount) != null) {
            return true;
        }
        return regions != null && regions.validate() != null;
    }

    /** The objects the attempt read, at most {@code max} of them, for messages. */
    List<String> describeReads(int max) {
        VBox[] read = java.util.Arrays.copyOf(readBoxes, readCount + writeCount);
        int n = readCount;
        for (int i = 0; i < writeCount; i++) {
            if (writeReadMetas[i] != NOT_READ) {
                read[n++] = writeBoxes[i];
            }
        }
        return ContendedObjects.describe(read, n, max);
    }

    // ------------------------------------------------------------------ regions (see RegionTxn)

    /** The attempt's region read and write sets, created on first use at the current nesting depth. */
    RegionTxn regions() {
        if (regions == null) {
            regions = new RegionTxn(this);
            regions.ensureFrames(depth);
        }
        return regions;
    }

    /** As {@link #check(VBox)} for a region's access inside this transaction. */
    void checkRegion(Region r) {
        check(r.rootBox);
    }

    /** A region locked by a commit or a rollback: wait a little, or give up as for a locked box. */
    void awaitRegion(VBox rootBox, long meta, int spins) {
        awaitUnlocked(rootBox, meta, spins);
    }

    /**
     * Whether a page read (with {@code version}) may join the snapshot: false after extending the snapshot
     * (read again); aborts if the group was rolled back since the attempt began (restored pages keep their old
     * versions, so the incarnation is what tells).
     */
    boolean admitRegionRead(VBox rootBox, long version) {
        if (group.incarnation() != incarnation) {
            throw abort(null);
        }
        if (version > rv) {
            extend(version);
            return false;
        }
        return true;
    }
}
