package io.aurora4j.txn;

import io.aurora4j.store.spi.StoredState;
import io.aurora4j.txn.RegionRoot.Root;

import java.nio.ByteBuffer;

/**
 * One job: lazy restore of a region recovered from a store. Builds the region's table of placeholder pages
 * that read their bytes from the store on first touch ({@link StoredPages} does the per-page load), loads
 * every page not loaded yet when a fork must stop depending on the store, and counts and closes the region's
 * {@link StoredPages}.
 *
 * <p>One per region. Thread-safe: {@link #restoreLazily} runs once, before anything else sees the region;
 * the rest reads a volatile reference and loads pages through {@link Page#ensureLoaded()}.
 */
final class RegionLazyRestore {
    private static final int LEAF_SHIFT = RegionRoot.LEAF_SHIFT;
    private static final int LEAF_MASK = RegionRoot.LEAF_MASK;

    private final Region region;
    /** Where the pages of a region recovered from a store are until loaded; null for other regions. */
    private volatile StoredPages storedPages;

    RegionLazyRestore(Region region) {
        this.region = region;
    }

    /**
     * Recovery (before anything else can see the region, which is fresh): makes the table hold the stored pages
     * {@code indexes} (ascending) of {@code state} as restored placeholders, loaded on first touch (see
     * {@link StoredPages}). O(pages of the table); reads nothing from the store.
     */
    void restoreLazily(StoredState state, long[] indexes, String storeName) {
        if (indexes.length == 0) {
            return;
        }
        Region g = region;
        RegionRoot rootBox = g.rootBox;
        StoredPages stored = new StoredPages(g, state, storeName, indexes.length);
        long m = g.table.lock();
        try {
            Root empty = rootBox.lvRoot();
            if (empty.live != 0 || g.excluded) {
                throw new IllegalStateException(g + " is not a fresh region: it cannot be restored from " + storeName);
            }
            Page[][] ls = empty.leaves.clone();
            ByteBuffer zeros = g.zero.byteBuffer();
            // Stamped NEVER, an epoch no group ever has: the raw fast path never writes in place into a placeholder,
            // and incremental flushes skip them (the store holds them already).
            long version = VBox.version(m); // the region's creation version: older than any commit after the restore
            Page[] leaf = null;
            int leafIndex = -1;
            for (long index : indexes) {
                if (index < 0 || index >= g.pageCount) {
                    throw new IllegalStateException("store " + storeName + ": checkpoint #" + state.checkpoint().id()
                            + " holds page " + index + " of " + g + ", which has " + g.pageCount + " pages");
                }
                int pi = (int) index;
                if (pi >>> LEAF_SHIFT != leafIndex) {
                    leafIndex = pi >>> LEAF_SHIFT;
                    leaf = ls[leafIndex].clone(); // of the shared zero leaf
                    ls[leafIndex] = leaf;
                }
                long base = (long) pi << g.pageShift;
                leaf[pi & LEAF_MASK] = new Page(g.pool, g, zeros, stored, pi, base, (int) Math.min(g.pageSize, g.capacity - base),
                        RegionPageTable.NEVER, version);
            }
            storedPages = stored;
            rootBox.spRoot(new Root(RegionPageTable.NEVER, ls, empty.leafEpochs.clone(), null, indexes.length, 0));
        } finally {
            rootBox.soMeta(m); // published with the release of the root above
        }
    }

    /**
     * Loads every restored page of the live table that is not loaded yet: what a fork must do before it shares
     * pages (it may outlive this group's store). Unloaded pages are all in the live table (see
     * {@link StoredPages}), so one pass leaves none. O(pages) the first time, O(1) after.
     */
    void loadStoredPages() {
        StoredPages sp = storedPages;
        if (sp == null || sp.unloaded() == 0) {
            return;
        }
        loadAll(region.rootBox.lvRoot());
    }

    /** Loads every page of the table {@code r} not loaded yet, if any page of the region is still unloaded. */
    void loadUnloaded(Root r) {
        StoredPages sp = storedPages;
        if (sp != null && sp.unloaded() > 0) {
            loadAll(r);
        }
    }

    private void loadAll(Root r) {
        for (int li = 0; li < r.leaves.length; li++) {
            Page[] leaf = (Page[]) RegionRoot.LEAVES.getAcquire(r.leaves, li);
            int end = Math.min(RegionRoot.LEAF_SIZE, region.pageCount - (li << LEAF_SHIFT));
            for (int j = 0; j < end; j++) {
                ((Page) RegionRoot.PAGES.getAcquire(leaf, j)).ensureLoaded();
            }
        }
    }

    /** Restored pages not loaded yet (0 for a region not recovered from a store). */
    long unloaded() {
        StoredPages sp = storedPages;
        return sp == null ? 0 : sp.unloaded();
    }

    /** The region closed: later loads fail, and the store's index can be collected. */
    void close() {
        StoredPages sp = storedPages;
        if (sp != null) {
            sp.close();
        }
    }
}
