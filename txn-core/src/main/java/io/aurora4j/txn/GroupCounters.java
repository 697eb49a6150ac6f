package io.aurora4j.txn;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts what one group does, for {@link Group#metrics()}, JMX and Micrometer: transaction outcomes on the
 * transaction path, and checkpoints, rollbacks and flushes on their own (rare) paths.
 *
 * <h2>Why per-thread cells</h2>
 * A commit costs tens of nanoseconds; one shared counter written by every commit would put a contended cache
 * line on the path that must scale (issue #13), and even a {@code LongAdder} costs a CAS per increment. So each
 * thread counts its transactions in a {@link Cell} of its own, written only by that thread with opaque stores
 * (a plain store on x86 and ARM, but never torn and never hoisted out of a loop), and found through the
 * thread's transaction descriptor, which caches the cell of the group it last ran in. Readers sum the cells
 * with opaque loads: a sum is not an atomic snapshot across threads, each counter is exact once its writers
 * are quiet, and no counter ever goes backwards.
 *
 * <p>The cells of threads that have ended are folded into {@code retired} and dropped, at most once per
 * doubling of the live cells, so pools that churn threads (or virtual threads) keep a bounded number of cells; until
 * then the map holds the ended thread object (its thread locals are already gone).
 * A thread's termination happens-before another thread sees {@code isAlive() == false}, so its last opaque
 * stores are visible to the fold.
 *
 * <p>Thread-safe: cells are written by their own thread only; registration, folding and summing hold
 * {@code lock}, which the transaction path never takes after a thread's first commit in the group.
 */
final class GroupCounters {
    /** Indexes into a cell's (and the retired) counts. */
    static final int COMMITS = 0, CONFLICTS = 1, ROLLBACK_ABORTS = 2, EXCEPTION_ABORTS = 3, RETRY_ABORTS = 4,
            RETRIES = 5, GAVE_UP = 6, READ_ONLY_COMMITS = 7;
    private static final int COUNTS = 8;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    /** One thread's transaction counts in one group. */
    static final class Cell {
        final GroupCounters owner;
        // Padded on both sides so two threads' cells never share a line (the array header is on one side).
        private final long[] counts = new long[COUNTS + 16];

        private Cell(GroupCounters owner) {
            this.owner = owner;
        }

        /** Adds one to count {@code which}; only the cell's own thread calls this. */
        void increment(int which) {
            int i = which + 8;
            LONGS.setOpaque(counts, i, (long) LONGS.getOpaque(counts, i) + 1);
        }

        long get(int which) {
            return (long) LONGS.getOpaque(counts, which + 8);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    /** Keyed by the thread itself, not its id: a look-up (a thread moving between groups) then allocates nothing. */
    private final ConcurrentHashMap<Thread, Cell> cells = new ConcurrentHashMap<>();
    private final long[] retired = new long[COUNTS]; // guarded by lock
    private int foldAbove = 64; // guarded by lock

    final LatencyStat checkpointLatency = new LatencyStat();
    final LatencyStat rollbackLatency = new LatencyStat();
    final AtomicLong flushBytes = new AtomicLong();
    final AtomicLong fullFlushes = new AtomicLong();
    final LatencyStat flushLatency = new LatencyStat();

    /**
     * The calling thread's cell, from its descriptor's cache when it last ran in this group (the common case:
     * one field load and compare), registered on first use.
     */
    Cell cell(Txn t) {
        Cell c = t.counterCell;
        if (c != null && c.owner == this) {
            return c;
        }
        c = lookUp(Thread.currentThread());
        t.counterCell = c;
        return c;
    }

    private Cell lookUp(Thread thread) {
        Cell c = cells.get(thread);
        if (c != null) {
            return c;
        }
        lock.lock();
        try {
            c = new Cell(this);
            cells.put(thread, c);
            if (cells.size() > foldAbove) {
                foldEnded();
                foldAbove = Math.max(64, cells.size() * 2);
            }
            return c;
        } finally {
            lock.unlock();
        }
    }

    /** Moves the counts of cells whose thread has ended into {@code retired} (lock held). */
    private void foldEnded() {
        ArrayList<Thread> ended = new ArrayList<>();
        cells.forEach((t, c) -> {
            if (!t.isAlive()) {
                ended.add(t);
            }
        });
        for (Thread t : ended) {
            Cell c = cells.remove(t);
            for (int i = 0; i < COUNTS; i++) {
                retired[i] += c.get(i);
            }
        }
    }

    /** The sum of count {@code which} over every thread that ever ran a transaction in the group. */
    long sum(int which) {
        lock.lock();
        try {
            long s = retired[which];
            for (Cell c : cells.values()) {
                s += c.get(which);
            }
            return s;
        } finally {
            lock.unlock();
        }
    }

    /** All counts at once (one pass, one lock). */
    long[] sums() {
        lock.lock();
        try {
            long[] s = retired.clone();
            for (Cell c : cells.values()) {
                for (int i = 0; i < COUNTS; i++) {
                    s[i] += c.get(i);
                }
            }
            return s;
        } finally {
            lock.unlock();
        }
    }

    /** The snapshot {@link Group#metrics()} returns. */
    GroupMetrics snapshot(String group, EpochTimeline timeline, int objects, boolean durable) {
        long[] tx = sums();
        int[] retained = timeline.retainedAndNotDurable();
        return new GroupMetrics(group,
                tx[COMMITS], tx[CONFLICTS], tx[ROLLBACK_ABORTS], tx[EXCEPTION_ABORTS], tx[RETRY_ABORTS], tx[RETRIES],
                tx[GAVE_UP],
                checkpointLatency.count(), checkpointLatency.totalNanos(), checkpointLatency.maxNanos(),
                rollbackLatency.count(), rollbackLatency.totalNanos(), rollbackLatency.maxNanos(),
                flushLatency.count(), fullFlushes.get(), flushBytes.get(), flushLatency.totalNanos(), flushLatency.maxNanos(),
                durable ? retained[1] : 0, retained[0], objects);
    }

    /** Cells held now (tests: folding keeps them bounded). */
    int cellCount() {
        return cells.size();
    }

    /** Count, total and maximum of a latency measured on a rare path (checkpoint, rollback, flush). */
    static final class LatencyStat {
        private final AtomicLong count = new AtomicLong();
        private final AtomicLong totalNanos = new AtomicLong();
        private final AtomicLong maxNanos = new AtomicLong();

        void record(long nanos) {
            count.incrementAndGet();
            totalNanos.addAndGet(nanos);
            maxNanos.accumulateAndGet(nanos, Math::max);
        }

        long count() {
            return count.get();
        }

        long totalNanos() {
            return totalNanos.get();
        }

        long maxNanos() {
            return maxNanos.get();
        }

    }
}
