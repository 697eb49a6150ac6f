package io.aurora4j.txn;

import java.util.concurrent.locks.ReentrantLock;

/**
 * One region shared by the states of a region test (in one test VM), with a small page per state.
 *
 * <p>Why shared: a region per state costs 50-450 µs (each region's page pool maps a 256 KiB slab of direct
 * memory on its first write), against about 1-5 µs for a group with two {@code TLong}s; JCStress creates
 * states by the thousand. So each state takes the next page of one region (wrapping around), writes the
 * page's "before" contents and takes a checkpoint: the page is then frozen, and the actor's write is the
 * first to it since a checkpoint, which copies it and publishes the copy (ARCHITECTURE.md §4, Region's copy-on-write).
 *
 * <p>Raw mode (writes outside a transaction) is for one writer at a time with a happens-before hand-over:
 * {@link #prepare} runs under a lock (JCStress may build states on several threads), and JCStress orders
 * state construction before the actors and each stride's actors before the next stride's construction.
 * With one retained checkpoint, pages that died in an epoch go back to the pool one checkpoint later, on a
 * later {@link #prepare} or writer's allocation: never while an actor of the same stride can still read them.
 */
final class StressRegion {
    static final int PAGE = 64;
    static final int WORDS = PAGE / Long.BYTES;
    static final int PAGES = 1 << 14;

    final Group group;
    final Region region;
    private final ReentrantLock lock = new ReentrantLock();
    private long next;

    StressRegion(String name) {
        group = Group.builder("jcstress-" + name).retainCheckpoints(1).maintenanceExecutor(Runnable::run).open();
        region = group.regionBuilder("r").capacity((long) PAGE * PAGES).pageSize(PAGE).create();
    }

    /**
     * Takes {@code pages} consecutive fresh pages, fills every word of each with {@code before} and freezes
     * them with a checkpoint. Returns the offset of the first.
     */
    long prepare(int pages, long before) {
        lock.lock();
        try {
            long first = next;
            next = (next + pages) % PAGES;
            if (first + pages > PAGES) {
                first = 0;
                next = pages;
            }
            long base = first * PAGE;
            for (int i = 0; i < pages * WORDS; i++) {
                region.putLong(base + (long) i * Long.BYTES, before);
            }
            group.checkpoint();
            return base;
        } finally {
            lock.unlock();
        }
    }
}
