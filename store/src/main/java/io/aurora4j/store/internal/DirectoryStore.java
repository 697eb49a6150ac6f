package io.aurora4j.store.internal;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.DurableLog;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreCorruptedException;
import io.aurora4j.store.StoreException;
import io.aurora4j.store.StoreFailedException;
import io.aurora4j.store.StoreIO;
import io.aurora4j.store.RecoveryReport;
import io.aurora4j.store.StoreStats;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.spi.StoredState;
import org.agrona.MutableDirectBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

import static io.aurora4j.store.internal.RecordDescriptor.*;

/**
 * A {@link Store} in a directory: append-only segment files of CRC32C-checked records (the layout is in
 * {@link RecordDescriptor}), an in-memory index of locations, retention with compaction by whole segments,
 * and durable logs.
 *
 * <p>One job: the coordinator. It owns the shared state (the segment list, the {@link History}, the lock, the
 * {@link Failure}), answers the {@link Store} API and reads values back; the other jobs live in their own classes:
 * {@link Recovery} (the scan at open, torn tails, the high-water mark's checks), {@link SegmentWriter} (appending a
 * checkpoint, rolling segments, the one fsync per commit), {@link Compaction} (the FLOOR file and deleting dead
 * segments, with its deleter thread), {@link Cleaning} (which live records to copy forward), {@link History} and
 * {@link StateIndex} (retention and the index of locations), {@link Loc} and {@link Segment} (where values live).
 *
 * <h2>Index and retention</h2>
 * The {@link History} keeps the state of the oldest retained checkpoint (the floor) and of the newest as
 * indexes of {@link Loc locations}, not bytes, and the changes of each retained checkpoint in between.
 * {@link #state} copies an index and reads values on demand (a positional read and a CRC check per value).
 *
 * <h2>Costs</h2>
 * A commit: one or more positional writes (one per MiB) and one fsync; cleaning adds at most its budget of
 * copied bytes (read through a 1 MiB window) and, when its plan runs out, a pass over the head index; a segment
 * roll adds a file creation and
 * a directory fsync; a compaction round adds the FLOOR file (write, fsync, rename, directory fsync) and one
 * deletion and directory fsync per dead segment — on the deleter thread with background deletes, off the
 * commit's latency (an unlink of 64 MiB took ~200 ms on ext4 with {@code discard}). Open: reads every segment once and checks every CRC; memory
 * is the index (per live object, entry key and page: one location, about 40 bytes, plus keys) and the
 * changes of the retained checkpoints, never value bytes. {@link #state}: a copy of the floor's index plus
 * the retained changes up to the checkpoint (the newest copies the head index instead); values are read on
 * demand.
 *
 * <h2>Failure</h2>
 * Any {@link IOException} while writing, forcing, creating or deleting fails the store for good
 * ({@link Failure}): the commit in progress throws {@link StoreFailedException}, and so does every later
 * begin and log append. A failed force is never retried. A failed deletion or directory force on the deleter
 * thread fails the store the same way, but after the commit that compacted has returned, so it surfaces at
 * the next begin, log append or write. Reads after a failure still serve what was
 * committed before it. A failed <em>read</em> while cleaning reads a record to copy (or a copy that fails its
 * checksum) fails neither the commit nor the store: nothing written is in doubt, the record stays where it is,
 * and cleaning stops for the store's life ({@link #cleaningStalled()}), leaving {@link #suggestFull()} to
 * fall back on full checkpoints.
 *
 * <p>Thread-safe: one {@link ReentrantLock} guards the segment list and the history; a writer appends without
 * it (readers only read below the committed end) and takes it to publish a commit. The deleter thread
 * (daemon, {@code aurora4j-deleter <directory>}, started at the first background deletion, stopped by
 * {@link #close()}) touches only segments already removed from the list and marked {@code deleted}, under its
 * own monitor, never the store's lock; a reader still holding such a segment's location fails with
 * {@link IllegalStateException} as before.
 */
public final class DirectoryStore implements Store {
    private static final int WRITE_BUFFER = 1 << 20;
    static final int READ_BUFFER = 1 << 20;
    private static final long CLOSE_WAIT_SECONDS = 30;

    // Package-private: the state the parts (Recovery, SegmentWriter, Compaction) share, guarded as noted.
    final Path directory;
    final StoreIO io;
    final long segmentBytes;
    final Clock clock;
    final String name;
    final Failure failure;
    final ReentrantLock lock = new ReentrantLock();
    final List<Segment> segments = new ArrayList<>(); // guarded by lock
    final History<Loc> history; // guarded by lock
    private final Map<String, FileDurableLog> logs = new HashMap<>();
    final ByteBuffer writeBuffer = littleEndian(ByteBuffer.allocate(WRITE_BUFFER)); // the open writer's
    byte[] cleaningWindow; // the writer's read-ahead over a segment being cleaned; allocated on first use
    final Cleaning cleaning; // guarded by lock
    long liveBytes; // guarded by lock
    SegmentWriter writer; // guarded by lock
    volatile boolean closed;
    final Compaction compaction; // compact() under lock
    private static final System.Logger LOG = System.getLogger("io.aurora4j.store");
    final DirectoryLocks locks; // what keeps a second store out, LOCK deleted or not
    private final boolean acceptLost;
    HighWaterMark.Mark mark = HighWaterMark.Mark.NONE; // as last written (or read at open); guarded by lock
    final List<String> recoveryWarnings = new ArrayList<>();
    RecoveryReport recovery; // set once by Recovery before the store is published

    private DirectoryStore(Path directory, int retain, Duration retainFor, long segmentBytes, StoreIO io, Clock clock,
                           DirectoryLocks locks, boolean cleaningEnabled, double cleaningTrigger,
                           double cleaningBudget, boolean backgroundDeletes, boolean acceptLost) {
        this.directory = directory;
        this.cleaning = new Cleaning(cleaningEnabled, cleaningTrigger, cleaningBudget, segmentBytes);
        this.io = io;
        this.segmentBytes = segmentBytes;
        this.clock = clock;
        this.name = "directory " + directory;
        this.failure = new Failure(name);
        this.locks = locks;
        this.acceptLost = acceptLost;
        this.history = new History<>(new StateIndex.Tracker<>() {
            @Override
            public void added(Loc value) {
                value.segment().floorRefs++;
                value.segment().floorBytes += value.length();
            }

            @Override
            public void removed(Loc value) {
                value.segment().floorRefs--;
                value.segment().floorBytes -= value.length();
            }
        }, new StateIndex.Tracker<>() {
            @Override
            public void added(Loc value) {
                liveBytes += value.length();
                value.segment().headBytes += value.length();
            }

            @Override
            public void removed(Loc value) {
                liveBytes -= value.length();
                value.segment().headBytes -= value.length();
            }
        }, retain, retainFor);
        this.compaction = new Compaction(this, backgroundDeletes);
    }

    /**
     * Opens (creating if missing) and recovers the store in {@code directory}. {@code cleaning},
     * {@code cleaningTrigger} and {@code cleaningBudget} are the {@link Cleaning} policy; with
     * {@code backgroundDeletes}, compacted segments are deleted by the store's deleter thread instead of inside
     * the commit that compacted them (see {@link Compaction}). With {@code acceptLost}, an open that can prove
     * acknowledged checkpoints were lost (see {@link HighWaterMark}) recovers what is left and logs the loss
     * instead of refusing.
     *
     * @throws StoreException          if the directory is locked by another store or cannot be read
     * @throws StoreFailedException    if an I/O operation of recovery failed
     * @throws StoreCorruptedException if data before the end of the log is corrupt
     */
    public static DirectoryStore open(Path dir, int retain, Duration retainFor, long segmentBytes, StoreIO io,
                                      Clock clock, boolean cleaning, double cleaningTrigger, double cleaningBudget,
                                      boolean backgroundDeletes, boolean acceptLost) {
        Path directory = dir.toAbsolutePath(); // messages name it in full; every file has a parent
        DirectoryLocks locks;
        try {
            io.createDirectories(directory);
            locks = DirectoryLocks.acquire(io, directory);
        } catch (IOException e) {
            throw new StoreFailedException("directory " + directory + ": cannot open (" + e + ")", e);
        }
        DirectoryStore store = new DirectoryStore(directory, retain, retainFor, segmentBytes, io, clock, locks,
                cleaning, cleaningTrigger, cleaningBudget, backgroundDeletes, acceptLost);
        try {
            Recovery.recover(store, store.acceptLost);
            return store;
        } catch (IOException e) {
            store.closeQuietly();
            throw new StoreFailedException(store.name + ": recovery failed (" + e + ")", e);
        } catch (RuntimeException e) {
            store.closeQuietly();
            throw e;
        }
    }

    // ---------------------------------------------------------------------------------------------- recovery

    /**
     * What this store's open found and reported (also logged at WARNING to {@code io.aurora4j.store}): torn
     * tails dropped, empty segments deleted, accepted losses. Empty after a clean open. For tests; tools use the
     * typed {@link #recovery()}.
     */
    public List<String> recoveryWarnings() {
        return List.copyOf(recoveryWarnings);
    }

    @Override
    public RecoveryReport recovery() {
        return recovery;
    }

    static void readFully(StoreIO.FileHandle file, ByteBuffer dst, long position) throws IOException {
        long p = position;
        while (dst.hasRemaining()) {
            int n = file.read(dst, p);
            if (n < 0) {
                throw new java.io.EOFException("end of file at " + p);
            }
            p += n;
        }
    }

    static String segmentName(long id) {
        return String.format("segment-%016d.log", id);
    }

    // ---------------------------------------------------------------------------------------------- the API

    @Override
    public String describe() {
        return name;
    }

    @Override
    public Optional<StoredCheckpoint> lastDurable() {
        lock.lock();
        try {
            checkNotClosed();
            return Optional.ofNullable(history.newest());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<StoredCheckpoint> checkpoints() {
        lock.lock();
        try {
            checkNotClosed();
            return List.copyOf(history.retained());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public StoredState state(long checkpointId) {
        lock.lock();
        try {
            checkNotClosed();
            StoredCheckpoint cp = history.checkpoint(checkpointId);
            StateIndex<Loc> index = history.stateAt(checkpointId);
            return new IndexedState<>(cp, index, new IndexedState.ValueReader<>() {
                @Override
                public byte[] bytes(Loc value) {
                    byte[] record = readRecord(value);
                    byte[] out = new byte[value.valueLength()];
                    System.arraycopy(record, value.valueOffset(), out, 0, out.length);
                    return out;
                }

                @Override
                public int copyPage(Loc value, MutableDirectBuffer dst, int offset) {
                    byte[] record = readRecord(value);
                    dst.putBytes(offset, record, value.valueOffset(), value.valueLength());
                    return value.valueLength();
                }
            });
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads and checks the record at {@code at}, or at the copy cleaning made of it if its segment was deleted
     * (following {@link Loc#movedTo()} links: the copies are byte-identical, so the value offsets still hold).
     */
    private byte[] readRecord(Loc at) {
        Loc loc = at;
        Segment s;
        byte[] record;
        ByteBuffer b;
        while (true) {
            s = loc.segment();
            if (closed) {
                throw new IllegalStateException(name + " is closed");
            }
            if (s.deleted) {
                Loc copy = loc.movedTo(); // set before the segment was marked deleted (see Loc)
                if (copy == null) {
                    throw new IllegalStateException(name + ": the checkpoint's data was reclaimed by compaction ("
                            + at + (loc == at ? "" : ", last copied to " + loc) + ")");
                }
                loc = copy;
                continue;
            }
            record = new byte[loc.length()];
            b = littleEndian(ByteBuffer.wrap(record));
            try {
                readFully(s.file, b, loc.offset());
                break;
            } catch (IOException e) {
                if (closed) {
                    throw new IllegalStateException(name + ": the checkpoint's data is no longer readable", e);
                }
                if (!s.deleted) {
                    throw new StoreException(name + ": cannot read " + s.path + " at " + loc.offset() + " (" + e + ")", e);
                }
                // deleted (and closed by the deleter) while we read: follow its copy, if cleaning made one
            }
        }
        int length = b.getInt(LENGTH_OFFSET);
        if (length != loc.length() - HEADER_LENGTH
                || RecordDescriptor.crc(record, TYPE_OFFSET, 1 + length) != b.getInt(CRC_OFFSET)) {
            throw new StoreCorruptedException(s.path, loc.offset(), "checksum mismatch reading a value back");
        }
        return record;
    }

    @Override
    public CheckpointWriter begin(long id, long baseId, String label) {
        if (label != null && label.getBytes(StandardCharsets.UTF_8).length > MAX_LABEL) {
            throw new IllegalArgumentException("a label is at most " + MAX_LABEL + " UTF-8 bytes");
        }
        lock.lock();
        try {
            checkNotClosed();
            failure.check("begin checkpoint " + id);
            if (writer != null) {
                throw new IllegalStateException(name + ": checkpoint " + writer.id() + " is still being written");
            }
            MemoryStore.checkIds(name, history.newest(), id, baseId);
            long now = clock.millis();
            Segment current = segments.isEmpty() ? null : segments.get(segments.size() - 1);
            if (current == null || current.size >= segmentBytes) {
                current = SegmentWriter.startSegment(this, id);
            }
            writer = new SegmentWriter(this, id, baseId, label, now, history.floorWith(id, now), current);
            return writer;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public DurableLog log(String logName) {
        LogNames.check(logName);
        lock.lock();
        try {
            checkNotClosed();
            failure.check("open log " + logName);
            FileDurableLog log = logs.get(logName);
            if (log == null) {
                log = FileDurableLog.open(directory, logName, io, failure, name);
                logs.put(logName, log);
            }
            return log;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isFailed() {
        return failure.isFailed();
    }

    /**
     * Bytes of dead data that compaction cannot reclaim: in segments holding only checkpoints at or before the
     * floor, everything the floor's state does not use. Such a segment stays because a live value pins it; a
     * full checkpoint supersedes every value, and once it is the floor those segments go.
     */
    @Override
    public long reclaimableBytes() {
        lock.lock();
        try {
            long floor = history.floor();
            long dead = 0;
            for (Segment s : segments) {
                if (s.lastCheckpointId <= floor) {
                    dead += s.size - s.floorBytes;
                }
            }
            return dead;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether a full checkpoint is worth writing now. With {@link Cleaning} running: only when its backlog (the
     * garbage behind the floor that only cleaning can free) exceeds both one segment and {@code (1 + trigger)}
     * times the live data, i.e. when cleaning has fallen behind by a whole live size. Without cleaning (turned
     * off, or stopped by an unreadable record): when the reclaimable bytes exceed both one segment and the live
     * data (so the full checkpoint at most doubles what is live and frees more than it costs).
     */
    @Override
    public boolean suggestFull() {
        lock.lock();
        try {
            if (cleaning.active()) {
                // Cleaning keeps its backlog near trigger x live; a backlog a whole live size beyond that means it
                // cannot keep up (a burst of removals outran its budget), and one full checkpoint is cheaper.
                long backlog = Cleaning.backlog(segments, segments.isEmpty() ? null : segments.get(segments.size() - 1),
                        history.floor());
                return backlog > Math.max(segmentBytes, (1 + cleaning.trigger) * liveBytes);
            }
            return reclaimableBytes() > Math.max(segmentBytes, liveBytes);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public StoreStats stats() {
        lock.lock();
        try {
            checkNotClosed();
            long bytes = 0;
            for (Segment s : segments) {
                bytes += s.size;
            }
            String stalled = cleaning.stalled();
            StoreStats.Cleaning state = !cleaning.enabled ? StoreStats.Cleaning.OFF
                    : stalled != null ? StoreStats.Cleaning.STALLED : StoreStats.Cleaning.RUNNING;
            return new StoreStats(segments.size(), bytes, liveBytes, reclaimableBytes(), cleaning.relocatedBytes(),
                    cleaning.relocatedRecords(), state, stalled);
        } finally {
            lock.unlock();
        }
    }

    /** Bytes of records copied forward by cleaning in committed checkpoints since open (for tests and tools). */
    public long relocatedBytes() {
        lock.lock();
        try {
            return cleaning.relocatedBytes();
        } finally {
            lock.unlock();
        }
    }

    /** Records copied forward by cleaning in committed checkpoints since open (for tests and tools). */
    public long relocatedRecords() {
        lock.lock();
        try {
            return cleaning.relocatedRecords();
        } finally {
            lock.unlock();
        }
    }

    /** Why cleaning stopped (an unreadable or corrupt record it tried to copy), or empty while it runs. */
    public Optional<String> cleaningStalled() {
        lock.lock();
        try {
            return Optional.ofNullable(cleaning.stalled());
        } finally {
            lock.unlock();
        }
    }

    /** Record bytes the newest checkpoint's state uses (for tests and tools). */
    public long liveBytes() {
        lock.lock();
        try {
            return liveBytes;
        } finally {
            lock.unlock();
        }
    }

    /** Number of segment files (for tests and the {@code sls} tool). */
    public int segmentCount() {
        lock.lock();
        try {
            return segments.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the store. With background deletes, first waits (at most 30 seconds, without the
     * store's lock) for the deleter to finish the deletions already handed to it; what is still pending then, or
     * when the store has failed, is abandoned: the segments stay on disk and the next open scans them and
     * deletes them at its first compaction.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            writer = null;
        } finally {
            lock.unlock();
        }
        compaction.shutdown(TimeUnit.SECONDS.toNanos(CLOSE_WAIT_SECONDS));
        lock.lock();
        try {
            markClose();
            closeQuietly();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits up to {@code timeout} until the deleter has carried out every deletion handed to it (or the store
     * failed); true if none is pending. Always true without background deletes. For tests and tools that look
     * at the directory.
     */
    public boolean awaitDeletions(Duration timeout) {
        return compaction.awaitDeletions(timeout);
    }

    /**
     * At a clean close, raises the high-water mark to the newest checkpoint, so that an end cut off after the
     * store was closed is detected at the next open. Not after a failure (nothing more is written then); a
     * failure here loses nothing, the mark just stays lower.
     */
    private void markClose() {
        if (failure.isFailed() || segments.isEmpty() || history.newest() == null
                || history.newest().id() <= mark.acknowledged()) {
            return;
        }
        HighWaterMark.Mark m = new HighWaterMark.Mark(segments.getLast().firstId, history.newest().id());
        try {
            HighWaterMark.write(io, directory, m);
            io.forceDirectory(directory);
            mark = m;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, name + ": could not raise the high-water mark at close (" + e
                    + "); a later loss of the newest checkpoints may go undetected");
        }
    }

    private void closeQuietly() {
        for (FileDurableLog l : logs.values()) {
            l.close();
        }
        for (Segment s : segments) {
            try {
                s.file.close();
            } catch (IOException ignored) {
                // closing a read-write handle loses nothing forced; nothing more to do
            }
        }
        locks.close();
    }

    @Override
    public String toString() {
        return name;
    }

    private void checkNotClosed() {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
    }

}
