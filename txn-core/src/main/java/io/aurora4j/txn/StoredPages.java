package io.aurora4j.txn;

import io.aurora4j.store.StoreException;
import io.aurora4j.store.spi.StoredState;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where the pages of one region recovered from a store are until first touched: Aurora's lazy restore (the
 * paper maps the image and faults pages in), with a software "fault" — {@link Page#ensureLoaded()} — in place of
 * the MMU's.
 *
 * <h2>Why lazily</h2>
 * An eager restore reads and copies every stored page before {@link Group#open} returns: O(pages), 400–730 ms
 * of a 512 MiB open. Restored lazily, a region's table is built of placeholder pages (see {@link Page}) and
 * {@code open} costs O(objects + pages of table) with no page read; each page is read once, by whatever
 * touches it first: a read (raw, transactional, a view), a write (a write copies its page first), a full
 * flush or a {@code send} (they read pages through {@link Region#pagesAt}), a fork (it loads every page it
 * can see before it shares them, see below).
 *
 * <h2>Why the store still holds an unloaded page's bytes</h2>
 * A placeholder leaves a table only by being replaced, and a replacement copies the old page's bytes, which
 * loads it; so an unloaded placeholder is in the live table and in every table of every retained checkpoint
 * (they are all at or after the recovered one). The store therefore never wrote that page again except in a
 * full checkpoint, and a full flush reads every page of the table it writes, loading them all before it
 * commits. Until then the store's newest state still uses the record the placeholder reads, at its first location
 * or at a copy the store's cleaning made of it; the {@link StoredState} of the recovered checkpoint follows the
 * store's relocation links to the copy, so compaction never reclaims what a placeholder needs (issue #10,
 * defect 1: {@code LazyPagesSurviveCleaningTest}). A fork must not depend on this group's store
 * (it outlives its parent's {@code close}), so {@link Group#fork} loads the placeholders first: the first fork
 * after a recovery pays for the loads.
 *
 * <h2>Concurrency</h2>
 * Thread-safe. A page is loaded once: loaders of the same page serialize on one of {@value #STRIPES} striped
 * {@link ReentrantLock}s (not {@code synchronized}: a load blocks on the store, and a virtual thread must not
 * pin its carrier meanwhile), and re-check under it. The load writes the bytes into a fresh chunk, then
 * {@link Page#publishLoaded} installs it with a CAS and clears the page's {@code stored} reference with a release
 * store; a free or orphan of the page takes the chunk with a get-and-set ({@link Page#retireChunk()}), so a load
 * that races with a free (a seqlock reader may still hold a page a rollback freed) never leaks a chunk and never
 * hands one out twice. A page that already left the live state is not loaded: only a stale seqlock reader can
 * reach it, and it reads zeros and retries. A failed read leaves the page unloaded (a later touch tries again)
 * and throws an exception naming the region, the page and the store.
 */
final class StoredPages {
    static final int STRIPES = 64;

    private final Region region;
    private final String storeName;
    private final long checkpointId;
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
    private final AtomicLong unloaded;
    /** Dropped when every page is loaded or the region closes: the state's index is the store's memory too. */
    private volatile StoredState state;

    StoredPages(Region region, StoredState state, String storeName, long pages) {
        this.region = region;
        this.state = state;
        this.storeName = storeName;
        this.checkpointId = state.checkpoint().id();
        this.unloaded = new AtomicLong(pages);
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** Restored pages not loaded yet. */
    long unloaded() {
        return unloaded.get();
    }

    /** The region closed: later loads fail (its store is closed too), and the index can be collected. */
    void close() {
        state = null;
    }

    /** Loads {@code p} (a restored page of {@link #region}) unless it is loaded or no longer live. */
    void load(Page p) {
        ReentrantLock lock = locks[p.storedIndex & (STRIPES - 1)];
        lock.lock();
        try {
            if (!p.isUnloaded() || p.state() != Page.LIVE) {
                return; // loaded by another thread while we waited; or freed, and our caller's seqlock retries
            }
            StoredState s = state;
            if (s == null) {
                throw failure(p, new IllegalStateException("the group was closed"));
            }
            int size = region.pageSize();
            PagePool.Chunk c = region.reclaim.takeChunk(false);
            try {
                UnsafeBuffer dst = new UnsafeBuffer(c.slab, c.offset, size);
                int n = s.readPage(region.id(), p.storedIndex, dst, 0);
                if (n < size) {
                    dst.setMemory(n, size - n, (byte) 0); // a reused chunk holds an earlier page's bytes
                }
            } catch (RuntimeException e) {
                region.pool.give(c);
                throw failure(p, e);
            }
            if (!p.publishLoaded(c, size)) {
                region.pool.give(c); // freed while we read: nothing can read it any more
                return;
            }
            if (unloaded.decrementAndGet() == 0) {
                state = null; // nothing left to load: let the index go
            }
        } finally {
            lock.unlock();
        }
    }

    private RuntimeException failure(Page p, RuntimeException cause) {
        long from = (long) p.storedIndex * region.pageSize();
        String what = region + ": page " + p.storedIndex + " (bytes " + from + ".." + (from + region.pageSize() - 1)
                + "), restored lazily from checkpoint #" + checkpointId + " of store " + storeName
                + ", could not be loaded: " + cause.getMessage();
        return cause instanceof IllegalStateException ? new IllegalStateException(what, cause) : new StoreException(what, cause);
    }
}
