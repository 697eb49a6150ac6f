package io.aurora4j.txn;

import org.agrona.BufferUtil;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Off-heap memory for one region instance: slabs of direct memory (Agrona
 * {@link BufferUtil#allocateDirectAligned}, cache-line aligned) carved into page-sized chunks, and a free list
 * of chunks so that the first write to a page after a checkpoint takes a chunk without calling the allocator.
 *
 * <h2>Lifetime</h2>
 * Chunks are returned to the free list when the region frees a page (its last holder let go: see
 * {@link Region}). A page that a fork may still reference is not returned; it is <em>orphaned</em>: a
 * {@link Cleaner} returns its chunk when the garbage collector finds the page unreachable. Memory is never
 * unmapped explicitly: a slab is released by the JDK when no chunk of it is referenced any more (after
 * {@link #close()}, when the region's pages are gone), so a thread that races with a close or a free reads
 * stale bytes at worst, never unmapped memory.
 *
 * <p>Thread-safe: the free list is a small array stack under the pool's monitor (held for a few stores; it
 * never blocks, so virtual threads do not pin on anything that waits).
 */
final class PagePool {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final int SLAB_TARGET = 256 * 1024;

    /** A page-sized piece of a slab. Reused across pages; pages are not. */
    static final class Chunk {
        final ByteBuffer slab;
        final int offset;

        Chunk(ByteBuffer slab, int offset) {
            this.slab = slab;
            this.offset = offset;
        }
    }

    final int pageSize;
    private final int chunksPerSlab;
    private Chunk[] free = new Chunk[64]; // guarded by this
    private int freeCount; // guarded by this
    private boolean closed; // guarded by this
    private ByteBuffer slab; // guarded by this: the slab being carved
    private int carved; // guarded by this
    private final AtomicLong allocated = new AtomicLong();
    private final AtomicLong orphaned = new AtomicLong();

    PagePool(int pageSize) {
        this.pageSize = pageSize;
        this.chunksPerSlab = Math.max(1, SLAB_TARGET / pageSize);
    }

    /** A chunk for a new page; {@code zeroed} when the caller will not overwrite all of it. */
    Chunk take(boolean zeroed) {
        Chunk c;
        boolean fresh = false;
        synchronized (this) {
            if (freeCount > 0) {
                c = free[--freeCount];
                free[freeCount] = null;
            } else {
                if (slab == null || carved == chunksPerSlab) {
                    slab = BufferUtil.allocateDirectAligned(chunksPerSlab * pageSize, 64); // zeroed by the JDK
                    carved = 0;
                }
                c = new Chunk(slab, carved++ * pageSize);
                fresh = true;
                allocated.incrementAndGet();
            }
        }
        if (zeroed && !fresh) {
            zero(c); // a reused chunk holds an earlier page's bytes; fresh slabs are zeroed by the JDK
        }
        return c;
    }

    private void zero(Chunk c) {
        new org.agrona.concurrent.UnsafeBuffer(c.slab, c.offset, pageSize).setMemory(0, pageSize, (byte) 0);
    }

    /** Returns a chunk; dropped if the pool is closed. */
    void give(Chunk c) {
        synchronized (this) {
            if (closed) {
                allocated.decrementAndGet();
                return;
            }
            if (freeCount == free.length) {
                free = java.util.Arrays.copyOf(free, free.length * 2);
            }
            free[freeCount++] = c;
        }
    }

    /** Hands the page's chunk {@code c} to the garbage collector: returned to this pool when the page is unreachable. */
    void orphan(Page page, Chunk c) {
        orphaned.incrementAndGet();
        CLEANER.register(page, new ReturnChunk(this, c));
    }

    private record ReturnChunk(PagePool pool, Chunk chunk) implements Runnable {
        @Override
        public void run() {
            pool.orphaned.decrementAndGet();
            pool.give(chunk);
        }
    }

    /** Drops the free list; later returns are dropped too. Slabs go back to the OS once unreachable. */
    void close() {
        synchronized (this) {
            closed = true;
            allocated.addAndGet(-freeCount);
            java.util.Arrays.fill(free, null);
            freeCount = 0;
            slab = null;
        }
    }

    synchronized int pooled() {
        return freeCount;
    }

    long allocated() {
        return allocated.get();
    }

    long orphaned() {
        return orphaned.get();
    }
}
