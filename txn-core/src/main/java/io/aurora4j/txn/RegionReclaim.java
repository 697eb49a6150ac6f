package io.aurora4j.txn;

import io.aurora4j.txn.RegionRoot.EpochPages;

import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One job: page reclaim. Returns a region's pages to its pool as soon as nothing can see them: at once when a
 * page born in the current epoch is replaced; queued when a rollback discards the pages born after its
 * checkpoint ({@link #undone}) or when the last retained checkpoint that saw replaced pages leaves retention
 * ({@link #released}), and returned by the region's own allocation path ({@link #takeChunk}) or by
 * {@code Region.stats()}, never by waking another thread. A page that a live fork may still see (the fork
 * {@link #pin}s the cut it shares) is orphaned to the garbage collector instead of pooled. Counts the pages
 * held only by history.
 *
 * <p>One per region. Thread-safe: pins under their own monitor (no blocking call inside), the queue is
 * concurrent, and one thread at a time reclaims ({@link #reclaiming}, never waited for).
 */
final class RegionReclaim {
    private final Region region;
    private final PagePool pool;
    private final Region parent;
    private final long parentCut;
    private final Object pinLock = new Object();
    private long[] pins = new long[0]; // guarded by pinLock: cuts of live forks, sorted, with repeats
    private boolean parentReleased; // guarded by pinLock
    private final AtomicLong historyPages = new AtomicLong();

    private final ConcurrentLinkedQueue<Dead> dead = new ConcurrentLinkedQueue<>();
    private final AtomicLong deadPages = new AtomicLong();
    private final ReentrantLock reclaiming = new ReentrantLock();
    /** Set by {@link #reclaim} under the caller's region lock: the caller's unlock must publish a fresh version. */
    private boolean freedUnderLock;

    /** {@code parent}: the region this one was forked from at {@code parentCut}, or null. */
    RegionReclaim(Region region, Region parent, long parentCut) {
        this.region = region;
        this.pool = region.pool;
        this.parent = parent;
        this.parentCut = parentCut;
    }

    // ================================================================== fork pins

    /** A fork shares the table as of {@code cut}: pages visible at the cut are orphaned, never pooled, while it lives. */
    void pin(long cut) {
        synchronized (pinLock) {
            long[] p = Arrays.copyOf(pins, pins.length + 1);
            p[p.length - 1] = cut;
            Arrays.sort(p);
            pins = p;
        }
    }

    private void unpin(long cut) {
        boolean releaseParent;
        synchronized (pinLock) {
            int i = Arrays.binarySearch(pins, cut);
            if (i < 0) {
                return;
            }
            long[] p = new long[pins.length - 1];
            System.arraycopy(pins, 0, p, 0, i);
            System.arraycopy(pins, i + 1, p, i, p.length - i);
            pins = p;
            releaseParent = region.closed && pins.length == 0 && !parentReleased;
            if (releaseParent) {
                parentReleased = true;
            }
        }
        if (releaseParent && parent != null) {
            parent.reclaim.unpin(parentCut);
        }
    }

    /** Whether a live fork sees a page born in epoch {@code born} and dead in epoch {@code died}. */
    private boolean pinnedBetween(long born, long died) {
        synchronized (pinLock) {
            for (long c : pins) {
                if (c >= born && c < died) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * The region closes ({@code Region.close}): marks it closed, and returns whether this region (a fork) must now
     * let its parent go, which the caller does with {@link #releaseParent} once its own memory is dropped.
     */
    boolean close() {
        synchronized (pinLock) {
            region.closed = true;
            boolean releaseParent = pins.length == 0 && !parentReleased;
            if (releaseParent) {
                parentReleased = true;
            }
            return releaseParent;
        }
    }

    /** The parent may pool the pages this fork shared (unless a fork of ours still sees them). */
    void releaseParent() {
        if (parent != null) {
            parent.reclaim.unpin(parentCut);
        }
    }

    // ================================================================== freeing

    /** Returns {@code p} to the pool if it is this region's and still live (nothing can see it any more). */
    void free(Page p) {
        if (p.owner == region && p.leaveLive(Page.FREED)) {
            // A restored page may be loading right now (a stale seqlock reader): take its chunk atomically.
            PagePool.Chunk c = p.restored ? p.retireChunk() : p.chunk;
            if (c != null) {
                pool.give(c);
            }
        }
    }

    /** A page of this region's history or table that nothing of this group needs any more. */
    void release(Page p, long died) {
        if (p.owner != region) {
            return; // a parent's page: the parent frees it
        }
        if (pinnedBetween(p.epoch.number, died)) {
            if (p.leaveLive(Page.ORPHANED)) {
                PagePool.Chunk c = p.restored ? p.retireChunk() : p.chunk;
                if (c != null) {
                    pool.orphan(p, c); // a fork may read it: the garbage collector decides
                }
            }
        } else {
            free(p);
        }
    }

    /** A replaced page is kept for retained checkpoints ({@link #released} frees it later). */
    void heldByHistory() {
        historyPages.incrementAndGet();
    }

    /** Pages no longer live, held only for retained checkpoints. */
    long historyPages() {
        return historyPages.get();
    }

    /**
     * Rollback undid the epoch of {@code record}: its born pages die; its dead ones live again. The born pages
     * are queued for reclamation, so the rollback itself stays O(1) per region (see {@link #reclaim}).
     */
    void undone(EpochPages record) {
        historyPages.addAndGet(-record.diedCount);
        if (record.bornCount > 0) {
            enqueue(new Dead(record.born, record.bornCount, Long.MAX_VALUE));
        }
    }

    /** The group released the epoch of {@code entry} (no retained checkpoint needs it): its dead pages are queued. */
    void released(UndoEntry entry) {
        EpochPages record = ((RegionRoot.Pre) entry.oldRef).record();
        historyPages.addAndGet(-record.diedCount);
        if (record.diedCount > 0) {
            enqueue(new Dead(record.died, record.diedCount, record.epoch));
        }
    }

    /** Pages nothing can see any more, waiting to be returned to the pool: {@code pages[next..count)}. */
    private static final class Dead {
        final Page[] pages;
        final int count;
        final long died;
        int next; // guarded by reclaiming

        Dead(Page[] pages, int count, long died) {
            this.pages = pages;
            this.count = count;
            this.died = died;
        }
    }

    private void enqueue(Dead d) {
        deadPages.addAndGet(d.count);
        dead.add(d);
    }

    /**
     * Returns up to {@code budget} queued dead pages to the pool. Called on the region's own allocation path
     * (when the pool is empty) and by {@code Region.stats()}: reclamation never wakes another thread, so neither a
     * checkpoint nor a rollback pays for it (on a 2-core machine, waking a releaser preempted the caller for
     * the whole release). Never waits: if another thread is reclaiming, or the region's lock is taken by another
     * thread, returns at once (the pages stay queued).
     *
     * <p>The lock word changes around the frees. A raw copy leaves the lock word as it was (nothing is freed
     * then), so a raw reader that found a page before a raw write copied it away can still be reading it when the
     * page's epoch leaves retention; once its chunk is reused, the reader's seqlock re-check must fail, or it
     * returns another page's bytes (found by model-checks {@code RegionRawWriterRetainOneTest}). So the frees run
     * with the region locked and the unlock publishes a fresh version: by this method, or, when the caller holds
     * the lock ({@code lockHeld}, the raw copy path), by the caller's unlock ({@link #takeFreedUnderLock}).
     */
    void reclaim(int budget, boolean lockHeld) {
        if (dead.isEmpty() || !reclaiming.tryLock()) {
            return;
        }
        RegionRoot rootBox = region.rootBox;
        long m = 0;
        boolean locked = false;
        try {
            if (!lockHeld && !region.discarded && !region.closed) {
                m = rootBox.lvMeta();
                if ((m & VBox.LOCKED) != 0 || !rootBox.casMeta(m, m | VBox.LOCKED)) {
                    return; // a commit, a rollback or a raw copy is running: reclaim another time
                }
                locked = true;
            }
            Dead d;
            while (budget > 0 && (d = dead.peek()) != null) {
                int end = Math.min(d.count, d.next + budget);
                for (int i = d.next; i < end; i++) {
                    release(d.pages[i], d.died);
                    d.pages[i] = null;
                }
                budget -= end - d.next;
                deadPages.addAndGet(-(end - d.next));
                d.next = end;
                if (end == d.count) {
                    dead.poll();
                }
            }
            if (lockHeld) {
                freedUnderLock = true;
            }
        } finally {
            if (locked) {
                rootBox.soMeta(region.group.tick() << 2); // seqlock readers of the freed pages read again
            }
            reclaiming.unlock();
        }
    }

    /** Whether {@link #reclaim} freed pages under the caller's region lock since the last call (cleared). */
    boolean takeFreedUnderLock() {
        boolean freed = freedUnderLock;
        freedUnderLock = false;
        return freed;
    }

    /** A chunk for a new page: queued dead pages are reclaimed first, so memory is reused before it grows. */
    PagePool.Chunk takeChunk(boolean zeroed) {
        return takeChunk(zeroed, false);
    }

    /** As {@link #takeChunk(boolean)}; {@code lockHeld} when the caller holds the region's lock (see {@link #reclaim}). */
    PagePool.Chunk takeChunk(boolean zeroed, boolean lockHeld) {
        if (pool.pooled() == 0) {
            reclaim(256, lockHeld);
        }
        return pool.take(zeroed);
    }
}
