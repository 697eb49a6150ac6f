package io.aurora4j.txn;

import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One page of a {@link Region}: an Agrona buffer over a chunk of off-heap memory carved from a
 * {@link PagePool} slab, plus what copy-on-write needs to know about it.
 *
 * <p>A {@code Page} object is never reused: when its memory is freed, the chunk (not the object) goes back to
 * the pool and the object is marked {@link #FREED} forever. So a reference to a page is a unique version of a
 * page's contents, which is what transactions validate by identity, and a stale reference can never be
 * mistaken for a live one (no ABA). Reading the memory of a freed page is safe (the slab stays mapped while
 * anything references it) but may return another page's bytes: every reader that can race with a free reads
 * inside the region's seqlock and retries.
 *
 * <p>{@link #epoch} is the epoch of the owner's group in which the page became part of the live table (its
 * birth); a write may go in place only when it equals the group's current epoch. {@link #version} is the
 * commit version that installed it (TL2: a transaction that read at {@code rv} must not read a newer page
 * without extending its snapshot). Both are written before the page is published with a release store and
 * never change afterwards, except that a transaction's private shadow gets them at its commit, before it
 * is published.
 *
 * <h2>Pages restored lazily</h2>
 * A region recovered from a store ({@link StoreDurability}) starts with <em>restored</em> pages: placeholders that
 * hold no chunk and whose bytes are still only in the store ({@link #stored} non-null). They wrap the shared
 * zero buffer of their size until loaded, so a stray read of one reads zeros, never unmapped memory. Every
 * path that reads a page's bytes calls {@link #ensureLoaded()} first; the first such call takes a chunk, reads
 * the stored page into it and re-points this buffer at it (see {@link StoredPages#load}). The object stays the
 * same, so undo records, born/died lists and transactions that validate pages by identity are not affected.
 * A restored page is stamped with an epoch that is never a group's current one, so the raw write fast path
 * (which compares the page's epoch and writes in place) never writes into it: a write copies it first, and
 * the copy loads it.
 *
 * <p>Memory-access kinds for restored pages: {@link #stored} is cleared with a release store after the bytes
 * and the buffer's address are written, and read with an acquire load, so a reader that finds it null reads
 * the loaded bytes. {@link #chunk} of a restored page is set with a CAS by the loader and taken with a
 * get-and-set by free/orphan ({@link #retireChunk()}), so a load racing with a free neither leaks the chunk
 * nor hands it out twice. Pages created with a chunk never change either field.
 */
final class Page extends UnsafeBuffer {
    static final int LIVE = 0;
    static final int FREED = 1;
    static final int ORPHANED = 2;

    private static final VarHandle STATE;
    private static final VarHandle STORED;
    private static final VarHandle CHUNK;
    /** What {@link #chunk} of a restored page holds once freed or orphaned: a later load must not install one. */
    private static final PagePool.Chunk RETIRED = new PagePool.Chunk(null, -1);

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(Page.class, "state", int.class);
            STORED = l.findVarHandle(Page.class, "stored", StoredPages.class);
            CHUNK = l.findVarHandle(Page.class, "chunk", PagePool.Chunk.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The pool whose chunk this page uses; null for the shared zero pages, which are never freed. */
    final PagePool pool;
    /**
     * The chunk whose memory the page uses. Set by the constructor, except for a restored page: null until
     * loaded (CAS), {@link #RETIRED} once freed or orphaned (get-and-set). Non-final only for restored pages.
     */
    PagePool.Chunk chunk;
    /** The region instance that allocated the page and alone may free it; null for zero pages. */
    final Region owner;
    /** The region offset of the page's first byte; -1 for the shared zero pages, which serve every offset. */
    final long base;
    /** The page's valid bytes: the page size, or less for a region's last page. */
    final int length;
    /** Birth epoch in the owner's group (set before publication). */
    Epoch epoch;
    /** Commit version that installed the page (set before publication). */
    long version;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;
    /** Whether the page was restored from a store (created without a chunk); see the class comment. */
    final boolean restored;
    /** Of a restored page: its index in the region, the page it loads. */
    final int storedIndex;
    /** Of a restored page not loaded yet: where its bytes are; null once loaded, and always null for other pages. */
    @SuppressWarnings("unused") // accessed through STORED
    private StoredPages stored;

    Page(PagePool pool, PagePool.Chunk chunk, Region owner, int size, long base, int length) {
        super(chunk.slab, chunk.offset, size);
        this.pool = pool;
        this.chunk = chunk;
        this.owner = owner;
        this.base = base;
        this.length = length;
        this.restored = false;
        this.storedIndex = -1;
    }

    /**
     * A restored page: reads as {@code zeros} (the shared zero buffer of its size) until {@link #ensureLoaded()}
     * loads page {@code index} from {@code stored}. Published by the table's release stores, like any page.
     */
    Page(PagePool pool, Region owner, java.nio.ByteBuffer zeros, StoredPages stored, int index, long base, int length,
         Epoch epoch, long version) {
        super(zeros, 0, zeros.capacity());
        this.pool = pool;
        this.owner = owner;
        this.base = base;
        this.length = length;
        this.restored = true;
        this.storedIndex = index;
        this.stored = stored;
        this.epoch = epoch;
        this.version = version;
    }

    /** A read-only page of zeros shared by every untouched page slot of a given page size. */
    Page(java.nio.ByteBuffer zeros, Epoch never) {
        super(zeros, 0, zeros.capacity());
        this.pool = null;
        this.chunk = null;
        this.owner = null;
        this.base = -1;
        this.length = 0;
        this.restored = false;
        this.storedIndex = -1;
        this.epoch = never;
        this.version = 0;
    }

    /**
     * Makes the page's bytes readable: a no-op (one acquire load) unless this is a restored page not loaded yet,
     * which is loaded from its store now. Called by every path that reads a page's bytes.
     *
     * @throws IllegalStateException             if the store was closed or no longer holds the page (names the
     *                                           region, the page and the store)
     * @throws io.aurora4j.store.StoreException if reading the store failed (the page stays unloaded: a later
     *                                           call tries again)
     */
    void ensureLoaded() {
        StoredPages s = (StoredPages) STORED.getAcquire(this);
        if (s != null) {
            s.load(this);
        }
    }

    /** Whether the bytes are still only in the store (acquire). */
    boolean isUnloaded() {
        return STORED.getAcquire(this) != null;
    }

    /**
     * The loader (holding the page's load lock): installs {@code c}, already holding the page's bytes, and
     * publishes it. False if the page was freed or orphaned meanwhile: the caller keeps {@code c}.
     */
    boolean publishLoaded(PagePool.Chunk c, int size) {
        if (!CHUNK.compareAndSet(this, (PagePool.Chunk) null, c)) {
            return false;
        }
        wrap(c.slab, c.offset, size);
        // Release: a reader that sees null here (acquire in ensureLoaded) sees the bytes and the new address.
        STORED.setRelease(this, (StoredPages) null);
        return true;
    }

    /** Free/orphan of a restored page (after leaving LIVE): its chunk, or null if it was never loaded. */
    PagePool.Chunk retireChunk() {
        PagePool.Chunk c = (PagePool.Chunk) CHUNK.getAndSet(this, RETIRED);
        return c == RETIRED ? null : c;
    }

    boolean isZero() {
        return pool == null;
    }

    /** Moves the page from LIVE to {@code to}; false if it already left LIVE (freed or orphaned once only). */
    boolean leaveLive(int to) {
        return STATE.compareAndSet(this, LIVE, to);
    }

    int state() {
        return (int) STATE.getVolatile(this);
    }
}
