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
 */
final class Page extends UnsafeBuffer {
    static final int LIVE = 0;
    static final int FREED = 1;
    static final int ORPHANED = 2;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Page.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The pool whose chunk this page uses; null for the shared zero pages, which are never freed. */
    final PagePool pool;
    final PagePool.Chunk chunk;
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

    Page(PagePool pool, PagePool.Chunk chunk, Region owner, int size, long base, int length) {
        super(chunk.slab, chunk.offset, size);
        this.pool = pool;
        this.chunk = chunk;
        this.owner = owner;
        this.base = base;
        this.length = length;
    }

    /** A read-only page of zeros shared by every untouched page slot of a given page size. */
    Page(java.nio.ByteBuffer zeros, Epoch never) {
        super(zeros, 0, zeros.capacity());
        this.pool = null;
        this.chunk = null;
        this.owner = null;
        this.base = -1;
        this.length = 0;
        this.epoch = never;
        this.version = 0;
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
