package io.aurora4j.txn;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One job: a group's epoch timeline — the chain of epochs and the checkpoints that close them (the history),
 * their retention (trim, pins, release of what left it), the admin lock that orders all of it, draining the
 * commits in flight, and the one walk that collects what changed between two checkpoints ({@link #dirtyBetween}),
 * used by flushes and images alike.
 *
 * <p>The words the commit path and region writes read — {@code Group.currentEpoch}, {@code incarnation},
 * {@code releasedUpTo}, the clock and the commit gate — stay fields of {@link Group}, so a commit reaches them with
 * one load as before; this class is their only writer (besides the clock's own ticks). Durability talks to this class
 * (through the admin lock, {@link #dirtyBetween}, {@link #durableUpTo}, {@link #failDurable}) and is told what it
 * needs through {@link Observer}; neither calls back into the group's public face.
 *
 * <p>Thread-safe: everything below marked "admin lock held" is guarded by {@link #admin}.
 */
final class EpochTimeline {
    /**
     * What the timeline tells the group's durability, always with the admin lock held: implemented by
     * {@link Durability} so that the timeline never needs to know whether the group is durable.
     */
    interface Observer {
        /** Whether a checkpoint is owed even if nothing changed (the disk holds a state a rollback undid). */
        boolean owesCheckpoint();

        /** {@code cp} was just taken. */
        void checkpointTaken(Checkpoint cp);

        /** A rollback to {@code target} restored the group. */
        void rolledBack(Checkpoint target);
    }

    /** What changed between two checkpoints: the heads of the window's undo lists and the objects created in it. */
    record Dirty(List<UndoEntry> undoHeads, List<StateObject> created) {
    }

    /**
     * Epochs with at most this many pre-images and created objects are released on the calling thread: a few
     * microseconds, where handing them to the maintenance executor costs a thread wake-up, and on a machine
     * with few cores the woken thread preempts the caller for longer than the release itself (R3/R4: a
     * 2 GiB region's checkpoint went from p50 ~130 µs to ~3 µs). A region's epoch is one pre-image whatever
     * its dirty pages, whose dead pages are queued for the region's own allocation path, not freed here.
     */
    static final int INLINE_RELEASE_LIMIT = 64;

    private final Group group;
    private final int retain;
    private final Executor maintenance;
    private final boolean durableCheckpoints;
    final ReentrantLock admin = new ReentrantLock();
    /** Taken before the admin lock is released, held while a rollback event is published. */
    final ReentrantLock publishing = new ReentrantLock();
    private final ArrayDeque<Checkpoint> history = new ArrayDeque<>(); // guarded by admin
    private long epochCounter; // guarded by admin
    private long checkpointCounter; // guarded by admin
    private long rollbackCounter; // guarded by admin
    /** Pinned checkpoints in {@link #history}: they do not count against retention. Guarded by admin. */
    private int pinnedInHistory;
    private final LongAdder retainedPreImages = new LongAdder();
    /**
     * Epochs after this one are still the flusher's (their undo lists are the next flush's dirty set): checkpoints
     * are evicted only up to it. {@link Long#MAX_VALUE} when nothing holds them (a group without a store, or a
     * failed store); set by the durability.
     */
    private volatile long heldAfter;
    private Observer observer; // set once, before any checkpoint

    EpochTimeline(Group group, int retain, Executor maintenance, boolean durableCheckpoints) {
        this.group = group;
        this.retain = retain;
        this.maintenance = maintenance;
        this.durableCheckpoints = durableCheckpoints;
        this.heldAfter = durableCheckpoints ? -1 : Long.MAX_VALUE;
        group.currentEpoch = new Epoch(0, false, null, null);
    }

    void observe(Observer o) {
        this.observer = o;
    }

    boolean isClosed() {
        return group.isClosed();
    }

    // ================================================================== checkpoints

    /**
     * Takes a checkpoint. With {@code onlyIfChanged}, returns null instead when nothing was logged or created in the
     * current epoch. With {@code pin}, the checkpoint is pinned before anything can trim it (see {@link #trimHistory}).
     */
    Checkpoint take(String label, boolean onlyIfChanged, boolean pin) {
        Jfr.CheckpointEvent event = new Jfr.CheckpointEvent();
        event.begin();
        long started = System.nanoTime();
        List<Epoch> toRelease;
        Checkpoint cp;
        admin.lock();
        try {
            group.checkOpen();
            Epoch closing = group.currentEpoch;
            if (onlyIfChanged && closing.logging && closing.isEmpty() && !observer.owesCheckpoint()) {
                return null; // decided under the admin lock: epoch.created is guarded by it, and no checkpoint races
            }
            cp = new Checkpoint(group, ++checkpointCounter, label, closing, durableCheckpoints);
            // the cut: commits reading this epoch are after it
            group.currentEpoch = new Epoch(++epochCounter, true, closing, cp);
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
            observer.checkpointTaken(cp);
            toRelease = trimHistory();
        } finally {
            admin.unlock();
        }
        releaseAll(toRelease);
        group.counters.checkpointLatency.record(System.nanoTime() - started);
        if (event.shouldCommit()) {
            event.group = group.name();
            event.checkpointId = cp.id();
            event.checkpointLabel = label;
            event.commit();
        }
        return cp;
    }

    /** Before the first checkpoint of a recovered group: it takes the stored checkpoint's id. */
    void continueFrom(long storedCheckpointId) {
        admin.lock();
        try {
            checkpointCounter = storedCheckpointId - 1;
        } finally {
            admin.unlock();
        }
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
            Iterator<Checkpoint> it = history.iterator();
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
            if (epoch.number > heldAfter) {
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
            group.releasedUpTo = epoch.number; // committers stop linking pre-images of these epochs from now on
        }
        return toRelease;
    }

    /** Drops one pin of {@code cp} (taken by {@code TxnSpi.pinnedCheckpoint}); trims what it held beyond retention. */
    void unpin(Checkpoint cp) {
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
            toRelease = group.isClosed() ? null : trimHistory();
        } finally {
            admin.unlock();
        }
        releaseAll(toRelease);
    }

    /** The group's counters (the durability reports its flushes there). */
    GroupCounters counters() {
        return group.counters;
    }

    /**
     * Admin lock taken here: the number of retained checkpoints and, of them, those not durable yet (a durable
     * group's lag), as {@code {retained, notDurable}}.
     */
    int[] retainedAndNotDurable() {
        admin.lock();
        try {
            int lag = 0;
            for (Checkpoint c : history) {
                if (!c.isDurable()) {
                    lag++;
                }
            }
            return new int[] {history.size(), lag};
        } finally {
            admin.unlock();
        }
    }

    /** The retained checkpoints, oldest first: a snapshot. */
    List<Checkpoint> history() {
        admin.lock();
        try {
            return List.copyOf(history);
        } finally {
            admin.unlock();
        }
    }

    Checkpoint newest() {
        admin.lock();
        try {
            return history.peekLast();
        } finally {
            admin.unlock();
        }
    }

    /** Admin lock held: the number of retained checkpoints. */
    int retainedCount() {
        return history.size();
    }

    /** Admin lock held: rollbacks performed (restores included). */
    long rollbackCount() {
        return rollbackCounter;
    }

    long retainedPreImages() {
        return retainedPreImages.sum();
    }

    void countPreImages(int n) {
        retainedPreImages.add(n);
    }

    // ================================================================== what changed between two checkpoints

    /**
     * Admin lock held. The undo lists and created objects of the epochs after {@code base}'s up to {@code cut}'s: the
     * boxes on them are exactly the boxes written in the window (the first write of a box in an epoch pushes its
     * pre-image), and the created objects those that appeared in it. Null if {@code base}'s epoch is not an ancestor of
     * {@code cut}'s (the chain was cut). Call {@link #drainCommits()} before reading values: a commit that read a closed
     * epoch may still be pushing its pre-images.
     */
    Dirty dirtyBetween(Checkpoint base, Checkpoint cut) {
        List<UndoEntry> heads = new ArrayList<>();
        List<StateObject> created = new ArrayList<>();
        Epoch stop = base.closedEpoch;
        Epoch e = cut.closedEpoch;
        for (; e != null && e != stop; e = e.previous) {
            UndoEntry head = e.undoList();
            if (head != null) {
                heads.add(head);
            }
            created.addAll(e.created);
        }
        return e == null ? null : new Dirty(heads, created);
    }

    /**
     * Closes the commit gate, waits for the commits in flight to leave it and opens it again (commits that arrive
     * meanwhile re-run): afterwards every commit of an epoch that is already closed has pushed its pre-images.
     * Under the admin lock, so it never interleaves with a rollback's own use of the gate.
     */
    void drainCommits() {
        admin.lock();
        try {
            group.gate.closeAndDrain();
            group.gate.open();
        } finally {
            admin.unlock();
        }
    }

    // ================================================================== durability's side

    /** Epochs up to {@code epochNumber} (a durable checkpoint's closed epoch) are no longer held for the flusher. */
    void durableAt(long epochNumber) {
        heldAfter = epochNumber;
    }

    /**
     * Admin lock held: {@code cp} is durable. Epochs up to its closed one are no longer held; collects the
     * checkpoints it makes durable into {@code nowDurable} and returns the epochs to release ({@link #releaseAll}).
     */
    List<Epoch> durableUpTo(Checkpoint cp, List<Checkpoint> nowDurable) {
        heldAfter = cp.closedEpoch.number;
        for (Checkpoint c : history) {
            if (c.id() <= cp.id() && !c.isDurable()) {
                nowDurable.add(c); // completed by the flusher once the durable listeners have run
            }
        }
        return trimHistory();
    }

    /** The store failed: every checkpoint not yet durable never will be, and nothing is held for the flusher any more. */
    void failDurable(RuntimeException cause) {
        heldAfter = Long.MAX_VALUE;
        List<Epoch> toRelease;
        admin.lock();
        try {
            failPending(cause);
            toRelease = trimHistory();
        } finally {
            admin.unlock();
        }
        releaseAll(toRelease);
    }

    /** Admin lock held: completes the durable future of every retained checkpoint not yet durable with {@code cause}. */
    void failPending(Throwable cause) {
        for (Checkpoint c : history) {
            c.failDurable(cause);
        }
    }

    // ================================================================== rollback's side

    /**
     * Admin lock held, gate closed: makes every transaction in flight fail its next read or its commit, and discards
     * the checkpoints after {@code checkpoint}. Returns how many were discarded.
     */
    int discardAfter(Checkpoint checkpoint) {
        group.incarnation = group.incarnation + 1;
        int discarded = 0;
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
            discarded++;
        }
        return discarded;
    }

    /** Admin lock held, gate closed, state restored: tells the durability and opens a new epoch after {@code checkpoint}. */
    void reopenAt(Checkpoint checkpoint) {
        observer.rolledBack(checkpoint);
        group.currentEpoch = new Epoch(++epochCounter, true, checkpoint.closedEpoch, checkpoint);
    }

    /** Admin lock held: the sequence number of the next rollback event. */
    long nextRollbackNumber() {
        return ++rollbackCounter;
    }

    // ================================================================== release

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

    /** Releases an epoch into which a commit logged after the epoch left retention. */
    void releaseLate(Epoch epoch) {
        maintenance.execute(() -> release(epoch));
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
}
