package io.aurora4j.txn;

import io.aurora4j.txn.RegionRoot.EpochPages;
import io.aurora4j.txn.RegionRoot.Root;

import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One job: a region's page table. The persistent two-level table of pages (a {@link RegionRoot.Root}: a
 * directory of leaves of {@link RegionRoot#LEAF_SIZE} page references) and the shared page of zeros that
 * stands for "no page yet"; the region's lock word; the table's copy-on-write under that lock (root, then
 * leaf, then page, each copied once per epoch, the replaced root pushed as the epoch's pre-image); the lookups
 * of the live table and of the table as of a cut. Returning replaced pages to the pool is
 * {@link RegionReclaim}'s job; the write barrier that calls in here is {@link RegionAccessPaths}'.
 *
 * <p>One per region. The copy-on-write methods are for the holder of the region's lock only; the lookups
 * are safe from any thread (acquire loads, inside the caller's seqlock).
 */
final class RegionPageTable {
    /** Stamp of the shared zero leaves and of a new region's first root: never an epoch of any group. */
    static final Epoch NEVER = new Epoch(-1, false, null, null);
    /** Stamp of an excluded region's private leaves and pages. */
    static final Epoch EXCLUDED = new Epoch(-2, false, null, null);
    /**
     * The page of zeros shared by the regions of each page size, held weakly: it goes (and the JDK frees its
     * direct memory) once no region of that size is left. A strong cache kept a received image's 1 GiB zero page
     * for the life of the JVM (issue #10).
     */
    private static final ConcurrentHashMap<Integer, WeakReference<Page>> ZERO_PAGES = new ConcurrentHashMap<>();

    private static final int LEAF_SHIFT = RegionRoot.LEAF_SHIFT;
    private static final int LEAF_MASK = RegionRoot.LEAF_MASK;

    private final Region region;
    private final RegionRoot rootBox;
    private final Group group;
    private final boolean excluded;

    /** Set by {@link #writableRoot} when it pushed a pre-image into an epoch that already left retention. */
    private Epoch pushedLate;

    RegionPageTable(Region region) {
        this.region = region;
        this.rootBox = region.rootBox;
        this.group = region.group;
        this.excluded = region.excluded;
    }

    /** The shared page of zeros of {@code size} bytes, made again if every region of that size has gone. */
    static Page zeroPage(int size) {
        while (true) {
            WeakReference<Page> ref = ZERO_PAGES.get(size);
            Page p = ref == null ? null : ref.get();
            if (p != null) {
                return p;
            }
            Page fresh = new Page(ByteBuffer.allocateDirect(size), NEVER);
            boolean won = ref == null ? ZERO_PAGES.putIfAbsent(size, new WeakReference<>(fresh)) == null
                    : ZERO_PAGES.replace(size, ref, new WeakReference<>(fresh));
            if (won) {
                return fresh;
            }
            // another region made one meanwhile: share it (ours is dropped before anything saw it)
        }
    }

    /** The table of a new region of {@code pageCount} pages: every leaf the shared, frozen leaf of zero pages. */
    static Root emptyRoot(int pageCount, Page zero, boolean excluded) {
        int dir = (pageCount + LEAF_MASK) >>> LEAF_SHIFT;
        Page[] zeroLeaf = new Page[RegionRoot.LEAF_SIZE];
        Arrays.fill(zeroLeaf, zero);
        Page[][] ls = new Page[dir][];
        Arrays.fill(ls, zeroLeaf); // shared and frozen (stamped NEVER): the first write to a leaf copies it
        Epoch[] stamps = new Epoch[dir];
        Arrays.fill(stamps, NEVER);
        return new Root(excluded ? EXCLUDED : NEVER, ls, stamps, null, 0, 0);
    }

    // ================================================================== the lock word

    /** Takes the region's lock (spinning while a commit, a rollback or a raw copy holds it); returns the word it replaced. */
    long lock() {
        for (int spins = 0; ; spins++) {
            long m = rootBox.lvMeta();
            if ((m & VBox.LOCKED) == 0) {
                if (rootBox.casMeta(m, m | VBox.LOCKED)) {
                    return m;
                }
            } else {
                awaitUnlocked(m, spins);
            }
        }
    }

    /** One spin while the lock word {@code m} is locked; throws if the region is dead (discarded or closed). */
    void awaitUnlocked(long m, int spins) {
        if ((m & VBox.DEAD) != 0) {
            region.checkUsable();
            throw rootBox.discardedError();
        }
        Backoff.spin(spins);
    }

    // ================================================================== copy-on-write (lock holder only)

    /** The epoch {@link #writableRoot} pushed a pre-image into after it left retention (to release again), cleared. */
    Epoch takePushedLate() {
        Epoch late = pushedLate;
        pushedLate = null;
        return late;
    }

    /**
     * The live root, writable in epoch {@code e}: copied first if it belongs to an older epoch, and then, in a
     * logging epoch, the old root is pushed as the epoch's pre-image (undo list and history) before the new
     * root is published, so that a view that finds the new root also finds the one it replaced.
     */
    Root writableRoot(Epoch e, long releasedUpTo) {
        Root r = rootBox.lvRoot();
        if (excluded || r.epoch == e) {
            return r;
        }
        EpochPages record = e.logging ? new EpochPages(e.number) : null;
        Root copy = new Root(e, r.leaves.clone(), r.leafEpochs.clone(), record, r.live, 0);
        if (record != null) {
            UndoEntry pre = new UndoEntry(rootBox, e.number, 0L, new RegionRoot.Pre(r, record));
            rootBox.pushHistory(pre, releasedUpTo);
            e.pushAll(pre, pre);
            group.countPreImages(1);
            if (e.number <= group.releasedUpTo()) {
                pushedLate = e; // the epoch left retention while we were writing: release it again
            }
        }
        rootBox.spRoot(copy);
        return copy;
    }

    /** Leaf {@code li} of the writable root {@code r}, copied first if it belongs to an older epoch. */
    Page[] writableLeaf(Root r, int li, Epoch e) {
        Epoch stamp = excluded ? EXCLUDED : e;
        if (r.leafEpochs[li] == stamp) {
            return r.leaves[li];
        }
        Page[] copy = r.leaves[li].clone();
        r.leafEpochs[li] = stamp;
        RegionRoot.LEAVES.setRelease(r.leaves, li, copy); // the copy is complete before readers can find it
        return copy;
    }

    /** Puts {@code fresh} (its bytes complete, its version set) in slot {@code j} of a writable leaf; retires the old page. */
    void place(Root r, Page[] leaf, int j, Page fresh, Epoch e) {
        Page old = leaf[j];
        Region g = region;
        if (old == g.hotPage) {
            g.hotPage = g.zero; // old may be freed below; a raw writer comes after this commit (happens-before), see hotPage
        }
        if (old == g.lastLookedUp) {
            g.lastLookedUp = g.zero;
        }
        fresh.epoch = excluded ? EXCLUDED : e;
        // Release: a reader that finds the page finds its bytes (copied above with plain stores) and its stamps.
        RegionRoot.PAGES.setRelease(leaf, j, fresh);
        if (old.isZero()) {
            r.live++;
        }
        r.exclusive++;
        if (r.record != null) {
            r.record.addBorn(fresh);
        }
        if (old.isZero()) {
            return;
        }
        if (excluded) {
            g.reclaim.free(old);
        } else if (old.owner == g && old.epoch == e) {
            r.exclusive--;
            g.reclaim.free(old); // born in this epoch: no checkpoint and no fork can see it
        } else if (r.record != null) {
            r.record.addDied(old); // retained checkpoints may see it: freed when its epoch leaves retention
            g.reclaim.heldByHistory();
        } else {
            g.reclaim.release(old, Long.MAX_VALUE); // no checkpoint of this group sees it; a fork may
        }
    }

    /** A new page of this region holding a copy of {@code from} (zeros for the zero page). Lock holder only. */
    Page newPage(Page from, int pi) {
        boolean zeros = from.isZero();
        if (!zeros) {
            from.ensureLoaded(); // before taking a chunk: a failed load leaves nothing behind
        }
        Page p = newPageObject(region.reclaim.takeChunk(zeros, true), pi); // under the region's lock (rawWritable)
        if (!zeros) {
            p.putBytes(0, from, 0, region.pageSize);
        }
        return p;
    }

    /** A page object of this region for page {@code pi} over {@code chunk}. */
    Page newPageObject(PagePool.Chunk chunk, int pi) {
        Region g = region;
        long base = (long) pi << g.pageShift;
        return new Page(g.pool, chunk, g, g.pageSize, base, (int) Math.min(g.pageSize, g.capacity - base));
    }

    /**
     * Commit (region and boxes locked, reads validated, {@code e} read under the locks): installs a
     * transaction's shadow of page {@code pi}. Returns an epoch to release late, or null.
     */
    Epoch installShadow(int pi, Page shadow, Epoch e, long wv, long releasedUpTo) {
        Root r = writableRoot(e, releasedUpTo);
        Page[] leaf = writableLeaf(r, pi >>> LEAF_SHIFT, e);
        shadow.version = wv;
        place(r, leaf, pi & LEAF_MASK, shadow, e);
        return takePushedLate();
    }

    // ================================================================== lookups

    /** Page {@code pi} of the table {@code r} (acquire loads: its bytes are visible), loaded if restored lazily. */
    static Page pageIn(Root r, int pi) {
        Page[] leaf = (Page[]) RegionRoot.LEAVES.getAcquire(r.leaves, pi >>> LEAF_SHIFT);
        Page p = (Page) RegionRoot.PAGES.getAcquire(leaf, pi & LEAF_MASK);
        p.ensureLoaded(); // every reader of bytes comes through here: a restored page is read from the store once
        return p;
    }

    /** The table as of {@code cp}: the oldest root pre-image pushed after the cut, else the live root. Seqlock held by caller. */
    static Root rootAt(long cut, UndoEntry history, Root live) {
        UndoEntry oldestAfterCut = null;
        for (UndoEntry e = history; e != null && e.epoch > cut; e = e.older) {
            oldestAfterCut = e;
        }
        return oldestAfterCut == null ? live : ((RegionRoot.Pre) oldestAfterCut.oldRef).root();
    }

    /**
     * The table as of the cut, read inside the seqlock: waits while a commit or rollback holds the region's lock,
     * and reads again if the lock word changed meanwhile.
     */
    Root stableRootAt(long cut) {
        for (int spins = 0; ; spins++) {
            long m = rootBox.lvMeta();
            if ((m & VBox.LOCKED) != 0) {
                awaitUnlocked(m, spins);
                continue;
            }
            Root live = rootBox.lvRoot(); // before the history: a writer pushes the old root before publishing the new
            UndoEntry h = rootBox.lvHistory();
            Root root = rootAt(cut, h, live);
            if (rootBox.lpMetaAfterFence() == m) {
                return root;
            }
        }
    }
}
