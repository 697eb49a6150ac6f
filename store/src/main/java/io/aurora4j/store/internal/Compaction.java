package io.aurora4j.store.internal;

import io.aurora4j.store.StoreIO;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One job: compaction and deletion of dead segments. After a commit moved the floor it records the floor in the
 * {@link FloorFile} and deletes the segments that hold nothing the floor's state or a retained checkpoint needs,
 * oldest first, inside the commit or on its {@link Deleter} thread. What keeps segments from dying (a value written
 * once and never again) is {@link Cleaning}'s job, carried out by the {@link SegmentWriter}.
 *
 * <h2>Compaction</h2>
 * Live data is never rewritten. Each segment counts the locations the floor's index holds in it; a segment
 * holding no checkpoint at or after the floor and no location of the floor's state is dead, and dead segments
 * are deleted oldest first, one at a time, each followed by a directory force (deleting out of order could
 * resurrect a removed object after a crash). Before the first deletion under a new floor, the floor is made
 * durable in the {@code FLOOR} file, so that recovery never offers a checkpoint whose data is gone even if
 * the checkpoint that recorded the floor is later damaged; FLOOR also names the first segment kept, so a
 * damaged or missing segment cannot pass for a compacted one. With background deletes (the default) the
 * commit writes FLOOR and drops the dead segments from its list, and the {@link Deleter} closes, deletes and
 * directory-forces them afterwards, still strictly oldest first with one force each, across compaction
 * rounds; a crash may then leave dead segments before the one FLOOR names, which recovery scans (a longer
 * replay of dead prefixes reaches the same states) and the next compaction deletes. Recovery replays what remains from an empty state;
 * because only dead prefixes are deleted (and a kind change is written as an explicit removal), that replay
 * reaches the floor's state exactly; entries of an object whose creating record was compacted away wait in a
 * phantom object until the object's live record arrives. Data becomes dead when it is superseded, so an
 * object written once and never again would keep its segment alive: {@link Cleaning} copies such records
 * forward inside incremental checkpoints (byte-identical copies, before the COMMIT), so the segment stops
 * being needed and goes once the floor passes the copying checkpoint. Copies are ordinary puts of the value
 * the state already has, which keeps the replay argument above intact. When cleaning is off or has stopped
 * (an unreadable record), {@link DirectoryStore#suggestFull()} tells the group when a full checkpoint would let enough be
 * reclaimed.
 *
 * <p>Thread safety: {@link #compact()} runs under the store's lock; the deleter thread touches only segments already
 * removed from the list and marked {@code deleted}, under its own monitor, never the store's lock.
 */
final class Compaction {
    private final Path directory;
    private final StoreIO io;
    private final Failure failure;
    private final List<Segment> segments;
    private final History<Loc> history;
    private final Deleter deleter; // null: dead segments are deleted inside the commit that compacts
    private long floorWritten = -1;
    private long firstSegmentWritten = -1;

    Compaction(DirectoryStore store, boolean backgroundDeletes) {
        this.directory = store.directory;
        this.io = store.io;
        this.failure = store.failure;
        this.segments = store.segments;
        this.history = store.history;
        this.deleter = backgroundDeletes ? new Deleter() : null;
    }

    /** What the FLOOR file said at open: {@code floor} and {@code firstSegment} need not be written again. */
    void recovered(long floor, long firstSegment) {
        floorWritten = floor;
        firstSegmentWritten = firstSegment;
    }

    /** Waits up to {@code nanos} for the deletions handed to the deleter, then abandons the rest (see {@link Deleter#shutdown}). */
    void shutdown(long nanos) {
        if (deleter != null) {
            deleter.shutdown(nanos);
        }
    }

    /** See {@link DirectoryStore#awaitDeletions}. */
    boolean awaitDeletions(Duration timeout) {
        if (deleter == null) {
            return true;
        }
        try {
            return deleter.awaitIdle(timeout.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Deletes dead segments, oldest first. Called with the lock held, after a commit moved the floor. */
    void compact() {
        long floor = history.floor();
        if (segments.size() < 2 || !isDead(segments.get(0), floor)) {
            return;
        }
        int kept = 0;
        while (kept < segments.size() - 1 && isDead(segments.get(kept), floor)) {
            kept++;
        }
        long firstKept = segments.get(kept).firstId;
        if (floor != floorWritten || firstKept != firstSegmentWritten) {
            try {
                // Recovery must know the floor that justified a deletion even if the checkpoint that recorded
                // it is later damaged, or it would offer checkpoints whose data is gone; and which segment is
                // the first kept, or a damaged one could pass for a compacted one.
                FloorFile.write(io, directory, floor, firstKept);
                floorWritten = floor;
                firstSegmentWritten = firstKept;
            } catch (IOException e) {
                throw failure.fail("recording the floor before compaction", e);
            }
        }
        while (segments.size() > 1) {
            Segment s = segments.get(0);
            if (!isDead(s, floor)) {
                return;
            }
            s.deleted = true;
            segments.remove(0);
            if (deleter != null) {
                deleter.submit(s); // in this order: the deleter works first in, first out
                continue;
            }
            try {
                deleteSegment(s);
            } catch (IOException e) {
                throw failure.fail("deleting " + s.path, e);
            }
        }
    }

    /**
     * Closes and deletes a dead segment, then forces the directory. One deletion per directory force, and
     * segments strictly oldest first (also across compaction rounds): a power cut must never leave a later
     * segment deleted and an earlier one present, or recovery would replay records whose removal was deleted.
     * A segment left behind by a cut before its deletion was forced is harmless: recovery scans it (the floor
     * it was deleted under is already in FLOOR) and the next compaction deletes it again.
     */
    private void deleteSegment(Segment s) throws IOException {
        s.file.close();
        io.delete(s.path);
        io.forceDirectory(directory);
    }

    private static void closeQuietly(Segment s) {
        try {
            s.file.close();
        } catch (IOException ignored) {
            // abandoned: recovery will scan and delete it; closing loses nothing forced
        }
    }

    /**
     * The store's deleter: one daemon platform thread, started at the first deletion, that deletes the dead
     * segments compaction hands it, first in first out, each with its directory force ({@link Compaction#deleteSegment}).
     * A failed close, delete or force fails the store ({@link Failure}): the commit that compacted has already
     * returned, so the failure surfaces at the next begin or log append. Once the store has failed or is
     * closing past its wait, what remains is abandoned (handles closed, files left for recovery). Thread-safe:
     * its queue and state are guarded by its monitor; it never takes the store's lock, so {@link DirectoryStore#close()} can
     * wait for it without holding that lock.
     */
    private final class Deleter implements Runnable {
        private final ArrayDeque<Segment> queue = new ArrayDeque<>();
        private Thread thread;
        private boolean busy; // a deletion is being carried out
        private boolean stopped;

        synchronized void submit(Segment s) {
            if (stopped) {
                closeQuietly(s); // a commit that finished after close: the next open deletes it
                return;
            }
            queue.add(s);
            if (thread == null) {
                thread = Thread.ofPlatform().daemon().name("aurora4j-deleter " + directory).start(this);
            }
            notifyAll();
        }

        synchronized boolean awaitIdle(long nanos) throws InterruptedException {
            long deadline = System.nanoTime() + nanos;
            while ((busy || !queue.isEmpty()) && !failure.isFailed()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return !busy && queue.isEmpty();
        }

        /**
         * Waits up to {@code nanos} for the pending deletions, then abandons the rest and waits (within what is
         * left of the same bound) for the one in progress, so that no deletion runs after the directory's lock
         * is released — unless the bound ran out in the middle of one.
         */
        void shutdown(long nanos) {
            long deadline = System.nanoTime() + nanos;
            boolean interrupted = false;
            try {
                awaitIdle(nanos);
            } catch (InterruptedException e) {
                interrupted = true;
            }
            synchronized (this) {
                stopped = true;
                for (Segment s : queue) {
                    closeQuietly(s);
                }
                queue.clear();
                notifyAll();
                while (busy && !interrupted) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void run() {
            while (true) {
                Segment s;
                synchronized (this) {
                    while (queue.isEmpty() && !stopped) {
                        try {
                            wait();
                        } catch (InterruptedException e) {
                            // nobody interrupts this thread on purpose; keep serving the queue
                        }
                    }
                    if (queue.isEmpty()) {
                        return;
                    }
                    s = queue.poll();
                    busy = true;
                }
                try {
                    if (failure.isFailed()) {
                        closeQuietly(s); // abandoned: after a failure nothing more is written or deleted
                    } else {
                        deleteSegment(s);
                    }
                } catch (IOException | RuntimeException e) {
                    closeQuietly(s);
                    failure.fail("deleting " + s.path + " (in the background)", e);
                } finally {
                    synchronized (this) {
                        busy = false;
                        notifyAll();
                    }
                }
            }
        }
    }

    private static boolean isDead(Segment s, long floor) {
        return s.lastCheckpointId < floor && s.floorRefs == 0;
    }
}
