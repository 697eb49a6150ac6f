package io.aurora4j.txn;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A versioned box: the unit of conflict detection, locking and pre-imaging.
 *
 * <h2>The lock word</h2>
 * {@code meta = version << 2 | DEAD | LOCKED}. {@code version} is the group clock value of the commit
 * (or rollback) that last published this box's value. {@code LOCKED} is held by a committing transaction
 * or a rollback for the duration of write-back; readers never lock. {@code DEAD} marks a box discarded
 * by a rollback to a checkpoint older than its creation; a dead box stays locked forever and every access
 * fails with an exception that names it.
 *
 * <h2>Memory-access kinds</h2>
 * {@code meta} is read with acquire ({@link #lvMeta()}) and published with release ({@link #soMeta(long)})
 * or CAS; the value itself (in subclasses) is written plainly by the lock holder between the two and read
 * opaquely by seqlock readers, which re-read {@code meta} after a load-load fence (the StampedLock
 * pattern). {@code stamp} and the history links are written only by the lock holder (the releaser uses
 * CAS on {@code history} and never touches {@code stamp}).
 *
 * <h2>History</h2>
 * {@code history} heads a newest-first chain of {@link UndoEntry pre-images}, one per logging epoch in
 * which the box was written. It serves checkpoint views (walk to the oldest entry newer than the
 * checkpoint) and lets rollback restore the box; entries of epochs that left retention are cut off
 * the tail by the group's releaser.
 */
abstract class VBox {
    static final long LOCKED = 1L;
    static final long DEAD = 2L;

    private static final VarHandle META;
    private static final VarHandle HISTORY;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            META = l.findVarHandle(VBox.class, "meta", long.class);
            HISTORY = l.findVarHandle(VBox.class, "history", UndoEntry.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Group group;
    /**
     * The box's place in its group's lock order: commits lock their write sets in ascending order, so two
     * commits never wait for each other in a cycle (and never have to give up to break one). Numbered per group,
     * in creation order, so the order is the same in every run of the same program (the model checker replays).
     */
    final long order;
    @SuppressWarnings("unused") // accessed through META
    private volatile long meta;
    /** Number of the last epoch into which this box's pre-image was pushed; written under the lock. */
    long stamp = -1;
    @SuppressWarnings("unused") // accessed through HISTORY
    private volatile UndoEntry history;

    VBox(Group group, long version) {
        this.group = group;
        this.order = group.nextBoxOrder();
        META.setRelease(this, version << 2);
    }

    /**
     * The hash of the box with lock order {@code order}, for a transaction's write-set index: orders are consecutive
     * in a group, and stepping by the golden ratio spreads consecutive numbers over a power-of-two table. Computed from
     * the order rather than kept in a field, so a box is 4 bytes smaller (a {@code TLong} is 64 bytes instead of
     * 72) and the index is rebuilt from the write set's copy of the orders without touching a box.
     */
    static int hashOf(long order) {
        return (int) order * 0x61c88647;
    }

    static long version(long meta) {
        return meta >>> 2;
    }

    final long lvMeta() {
        return (long) META.getAcquire(this);
    }

    /** Plain re-read of meta for the seqlock check, ordered after the value read by a load-load fence. */
    final long lpMetaAfterFence() {
        VarHandle.loadLoadFence();
        return (long) META.getOpaque(this);
    }

    final void soMeta(long newMeta) {
        META.setRelease(this, newMeta);
    }

    final boolean casMeta(long expected, long update) {
        return META.compareAndSet(this, expected, update);
    }

    final UndoEntry lvHistory() {
        return (UndoEntry) HISTORY.getAcquire(this);
    }

    final boolean casHistory(UndoEntry expected, UndoEntry update) {
        return HISTORY.compareAndSet(this, expected, update);
    }

    final void soHistory(UndoEntry entry) {
        HISTORY.setRelease(this, entry);
    }

    /**
     * Pushes {@code entry} (already holding this box's current value) as the newest pre-image. Called by
     * the lock holder only; the releaser may concurrently CAS the head to null, hence the loop. An old
     * head whose epoch already left retention is not linked, so a release that raced with this push
     * never leaves a reachable dead entry behind.
     */
    final void pushHistory(UndoEntry entry, long releasedUpTo) {
        for (;;) {
            UndoEntry head = lvHistory();
            UndoEntry older = (head != null && head.epoch > releasedUpTo) ? head : null;
            entry.older = older;
            if (older != null) {
                older.newer = entry;
            }
            if (casHistory(head, entry)) {
                return;
            }
        }
    }

    /** Rollback only (gate closed, box locked): drops the newest pre-image after restoring from it. */
    final void popHistory(UndoEntry entry) {
        UndoEntry older = entry.older;
        if (older != null) {
            older.newer = null;
        }
        soHistory(older);
    }

    /** Creates a pre-image entry holding the current value; called by the lock holder. */
    abstract UndoEntry preImage(long epoch);

    /** Restores the value saved in {@code entry}; called by a rollback holding the lock. */
    abstract void restore(UndoEntry entry);

    /** Names this box in error messages: kind, id and, for map cells, the key. */
    abstract String describe();

    /**
     * Whether this dead box was retired rather than discarded: an empty map cell removed from its map
     * (the key is looked up again and gets a fresh cell), not an object a rollback discarded.
     */
    boolean isRetired() {
        return false;
    }

    final IllegalStateException discardedError() {
        return new IllegalStateException(describe() + " of group '" + group.name()
                + "' was created after the checkpoint a rollback returned to, and was discarded with it");
    }
}
