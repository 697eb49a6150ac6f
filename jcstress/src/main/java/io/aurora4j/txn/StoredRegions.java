package io.aurora4j.txn;

import io.aurora4j.store.Store;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Pages that are still only in a store, for JCStress states: each {@link #take} hands out a restored placeholder
 * page that nothing has touched yet, of a region recovered lazily from an in-memory store.
 *
 * <p>How: one {@link Store#memory()} holds a checkpoint of a group with one region of {@value #PAGES} pages of
 * {@value #PAGE} bytes, every word of which holds {@link #STORED}. A batch is a group opened from that store
 * (the real recovery path: {@code Group.open}, {@code ObjectFormat.restoreAll}, {@code Region.restoreLazily}), whose
 * region starts with a placeholder per page; states take its pages in turn and a new batch is opened when they
 * are used up. Opening costs O(pages) of placeholders and no page read, about 5 ms for a batch of 16,384 here (warm), i.e. well
 * under a microsecond per state, against 50-450 µs for a region per state. Several groups are opened from the
 * one store: none of them writes to it (no periodic checkpoints, no barrier), and none is closed, because
 * closing a durable group closes its store; a batch and its slabs are garbage once the last state holding
 * it is replaced.
 *
 * <p>Thread-safe: JCStress builds states on the actor threads, several at once.
 */
final class StoredRegions {
    static final int PAGE = 64;
    static final int PAGES = 1 << 14;
    /** The value of every stored word: a read of a page that is not (yet) filled gives 0 instead. */
    static final long STORED = 5;
    private static final String NAME = "jcstress-lazy";

    /** One state's page: its group, region, the recovered checkpoint's view, the page's offset, a serial. */
    record Slot(Group group, Region region, CheckpointView recovered, long base, long serial) {
    }

    private final Store store = Store.memory();
    private final ReentrantLock lock = new ReentrantLock();
    private Group batch;
    private Region region;
    private CheckpointView recovered;
    private int next = PAGES;
    private long serial;

    StoredRegions() {
        // The writer group stays open: closing it would close the store.
        Group g = durable(Group.builder(NAME).store(store));
        Region r = g.regionBuilder("r").capacity((long) PAGE * PAGES).pageSize(PAGE).create();
        for (long at = 0; at < (long) PAGE * PAGES; at += Long.BYTES) {
            r.putLong(at, STORED);
        }
        g.barrier().join();
    }

    private static Group durable(GroupBuilder b) {
        // No periodic checkpoints (and so no flusher thread): nothing writes to the shared store after the image.
        return b.checkpointEvery(Duration.ZERO).maintenanceExecutor(Runnable::run).open();
    }

    /** The next untouched placeholder page (opens a new batch when the current one is used up). */
    Slot take() {
        lock.lock();
        try {
            if (next == PAGES) {
                batch = durable(Group.builder(NAME).store(store));
                region = batch.region("r");
                recovered = batch.history().get(0).view();
                next = 0;
            }
            return new Slot(batch, region, recovered, (long) PAGE * next++, serial++);
        } finally {
            lock.unlock();
        }
    }
}
