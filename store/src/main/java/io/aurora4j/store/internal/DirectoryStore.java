package io.aurora4j.store.internal;

import io.aurora4j.store.CheckpointWriter;
import io.aurora4j.store.DurableLog;
import io.aurora4j.store.Store;
import io.aurora4j.store.StoreCorruptedException;
import io.aurora4j.store.StoreException;
import io.aurora4j.store.StoreFailedException;
import io.aurora4j.store.StoreIO;
import io.aurora4j.store.StoredCheckpoint;
import io.aurora4j.store.StoredState;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

import static io.aurora4j.store.internal.RecordDescriptor.*;

/**
 * A {@link Store} in a directory: append-only segment files of CRC32C-checked records (the layout is in
 * {@link RecordDescriptor}), an in-memory index of locations, retention with compaction by whole segments,
 * and durable logs.
 *
 * <h2>Writing</h2>
 * A writer appends BEGIN, the changes and COMMIT to the last segment through a 1 MiB buffer (one positional
 * write per MiB), then forces the file once: a checkpoint costs one fsync. A new segment starts at a BEGIN
 * when the current one has reached the segment size; its creation is made durable (directory force) before
 * anything is written to it. An aborted checkpoint is truncated away and the truncation forced, so a later
 * checkpoint never sits behind the leftovers of an abandoned one.
 *
 * <h2>Recovery</h2>
 * Open scans every segment in order and checks every record's length, checksum and place (a change outside
 * BEGIN..COMMIT, a COMMIT that disagrees with its checkpoint, an incremental checkpoint whose base is not the
 * checkpoint before it). An intact record that breaks the structure is corruption wherever it is: no crash
 * writes a record with a good checksum in the wrong place. A bad record (length, type or checksum) in the
 * last segment is the torn end of the log — its checkpoint and
 * everything after it are truncated and the truncation forced before anything is appended — unless a valid
 * BEGIN or COMMIT of <em>another</em> checkpoint follows it, which a crash cannot explain (only the checkpoint
 * being written is unforced), so it is a {@link StoreCorruptedException}; a bad record in an earlier segment
 * is always one. Only a whole intact checkpoint (BEGIN through an agreeing COMMIT), or a COMMIT whose
 * checkpoint began at the bad record, counts as "another checkpoint": a value of the torn one may hold
 * record-shaped bytes. A consequence to know: damage inside the newest checkpoint cannot be told from a torn write
 * of it, and recovery falls back to the checkpoint before it — and says so (a WARNING naming the file, offset and
 * checkpoint, also in {@link #recoveryWarnings()}); the cut is made only after every check of the open passed,
 * so an open that refuses changes nothing.
 *
 * <h2>Hostile operators</h2>
 * The {@link HighWaterMark} (the newest segment started and the newest checkpoint acknowledged then, rewritten
 * at each segment start and at a clean close) lets the open refuse what no crash explains: the newest segment
 * missing, fewer checkpoints than were acknowledged, a non-empty segment file above the newest one started (a
 * stray, renamed or copied file: never read, truncated or adopted). {@code acceptLostCheckpoints} turns a provable
 * loss into a logged one. A second opener is refused even after an operator deleted {@code LOCK}: the store
 * holds an OS lock on its newest segment (taken before anything is changed at open, passed from segment to
 * segment lock-before-release), and in this JVM a registry of open directories by real path
 * ({@code OpenDirectories}); when a segment starts, a store whose {@code LOCK} was deleted locks the new one or,
 * if another store holds it, fails closed. Lengths are checked against the file size and
 * {@link RecordDescriptor#MAX_PAYLOAD} before anything is allocated, so a crazy length never costs memory.
 *
 * <h2>Index and retention</h2>
 * The {@link History} keeps the state of the oldest retained checkpoint (the floor) and of the newest as
 * indexes of {@link Loc locations}, not bytes, and the changes of each retained checkpoint in between.
 * {@link #state} copies an index and reads values on demand (a positional read and a CRC check per value).
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
 * (an unreadable record), {@link #suggestFull()} tells the group when a full checkpoint would let enough be
 * reclaimed.
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
    private static final Pattern SEGMENT = Pattern.compile("segment-(\\d{16})\\.log");
    private static final String FLOOR = "FLOOR";
    private static final int FLOOR_LENGTH = 24;
    private static final int FLOOR_MAGIC = 0x524C4641; // "AFLR"
    private static final int WRITE_BUFFER = 1 << 20;
    private static final int READ_BUFFER = 1 << 20;
    private static final long CLOSE_WAIT_SECONDS = 30;

    /**
     * Where a value lives: a record of {@code length} bytes at {@code offset} and the value inside it. Equal by
     * position (the five components), like the record it was; {@link #movedTo()} is not part of the value.
     *
     * <p>{@link #movedTo()} is the relocation link that keeps a {@link #state} readable after {@link Cleaning}:
     * when a committed checkpoint holds a byte-identical copy of this record, the link names the copy. It is set
     * once, under the store's lock, when that checkpoint commits and before compaction can mark this record's
     * segment {@link Segment#deleted deleted} (both volatile: a reader that sees the segment deleted sees the
     * link). A reader holding this location (a snapshot of an older checkpoint, such as the one a lazily restored
     * region reads its pages from) follows the links while the segment it points into is deleted, so a record
     * that cleaning moved is found at its copy however many times it moved. Memory: the field fits the padding
     * of the object (40 bytes with compressed references, as before); a chain lives only as long as a snapshot
     * holds its first location.
     */
    static final class Loc {
        private final Segment segment;
        private final long offset;
        private final int length;
        private final int valueOffset;
        private final int valueLength;
        private volatile Loc movedTo;

        Loc(Segment segment, long offset, int length, int valueOffset, int valueLength) {
            this.segment = segment;
            this.offset = offset;
            this.length = length;
            this.valueOffset = valueOffset;
            this.valueLength = valueLength;
        }

        Segment segment() {
            return segment;
        }

        long offset() {
            return offset;
        }

        int length() {
            return length;
        }

        int valueOffset() {
            return valueOffset;
        }

        int valueLength() {
            return valueLength;
        }

        /** The committed byte-identical copy cleaning made of this record, or null (volatile read). */
        Loc movedTo() {
            return movedTo;
        }

        /** Records that {@code copy}, committed, is a byte-identical copy of this record. Under the store's lock. */
        void moved(Loc copy) {
            movedTo = copy;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Loc l && segment == l.segment && offset == l.offset && length == l.length
                    && valueOffset == l.valueOffset && valueLength == l.valueLength;
        }

        @Override
        public int hashCode() {
            return (System.identityHashCode(segment) * 31 + Long.hashCode(offset)) * 31 + length;
        }

        @Override
        public String toString() {
            return "Loc[" + segment.path.getFileName() + "@" + offset + ", " + length + " bytes]";
        }
    }

    /** One segment file. Its fields are guarded by the store's lock except where noted. */
    static final class Segment {
        final long firstId;
        final Path path;
        final StoreIO.FileHandle file;
        long size;
        long lastCheckpointId = -1;
        long floorRefs;
        long floorBytes;
        /** Record bytes the newest state (the head index) uses here: what cleaning would have to copy. */
        long headBytes;
        volatile boolean deleted;

        Segment(long firstId, Path path, StoreIO.FileHandle file, long size) {
            this.firstId = firstId;
            this.path = path;
            this.file = file;
            this.size = size;
        }
    }

    private final Path directory;
    private final StoreIO io;
    private final long segmentBytes;
    private final Clock clock;
    private final String name;
    private final Failure failure;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Segment> segments = new ArrayList<>();
    private final History<Loc> history;
    private final Map<String, FileDurableLog> logs = new HashMap<>();
    private final ByteBuffer writeBuffer = littleEndian(ByteBuffer.allocate(WRITE_BUFFER));
    private byte[] cleaningWindow; // the writer's read-ahead over a segment being cleaned; allocated on first use
    private final Cleaning cleaning;
    private long liveBytes;
    private long floorWritten = -1;
    private long firstSegmentWritten = -1;
    private long floorFirstSegment = -1; // from the FLOOR file at open: the first segment compaction kept
    private Writer writer;
    private volatile boolean closed;
    private final Deleter deleter; // null: dead segments are deleted inside the commit that compacts
    private static final System.Logger LOG = System.getLogger("io.aurora4j.store");
    private final DirectoryLocks locks; // what keeps a second store out, LOCK deleted or not
    private final boolean acceptLost;
    private HighWaterMark.Mark mark = HighWaterMark.Mark.NONE; // as last written (or read at open)
    private final List<String> recoveryWarnings = new ArrayList<>();
    private boolean acceptedLoss;

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
        this.deleter = backgroundDeletes ? new Deleter() : null;
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
    }

    /**
     * Opens (creating if missing) and recovers the store in {@code directory}. {@code cleaning},
     * {@code cleaningTrigger} and {@code cleaningBudget} are the {@link Cleaning} policy; with
     * {@code backgroundDeletes}, compacted segments are deleted by the store's deleter thread instead of inside
     * the commit that compacted them (see "Compaction" above). With {@code acceptLost}, an open that can prove
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
            store.recover();
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

    private List<Long> segmentIds() throws IOException {
        List<Long> ids = new ArrayList<>();
        for (String n : io.list(directory)) {
            Matcher m = SEGMENT.matcher(n);
            if (m.matches()) {
                ids.add(Long.parseLong(m.group(1)));
            }
        }
        ids.sort(null);
        return ids;
    }

    private void recover() throws IOException {
        List<Long> ids = segmentIds();
        // Before anything is changed on disk: a store whose LOCK an operator deleted still holds its newest
        // segment locked, and this open must not so much as delete a temporary file under it.
        locks.lockNewestSegment(ids, id -> directory.resolve(segmentName(id)), this::segmentIds, name);
        HighWaterMark.Mark read = HighWaterMark.read(io, directory);
        mark = read == null ? HighWaterMark.Mark.NONE : read;
        // One handle per segment, kept for the store's life: closing any other descriptor of a file would
        // drop this process's POSIX lock on it (the newest segment's, above).
        for (long id : ids) {
            Path p = directory.resolve(segmentName(id));
            segments.add(new Segment(id, p, io.open(p, false), 0));
        }
        boolean deleted = false;
        for (int i = ids.size() - 1; i >= 0 && ids.get(i) > mark.newestSegment(); i--) {
            Segment s = segments.get(i);
            Path p = s.path;
            if (s.file.size() == 0 && (read != null || i == ids.size() - 1)) {
                // A crash while starting a segment: it is made durable before the mark that names it, and
                // nothing is written to it before that mark is. It holds nothing.
                DirectoryLocks.closeQuietly(s.file);
                segments.remove(i);
                io.delete(p);
                io.forceDirectory(directory);
                warn("deleted the empty " + p.getFileName() + ", newer than the newest segment the store had"
                        + " started (a crash while starting it)");
                ids.remove(i);
                deleted = true;
            } else if (read == null && acceptLost) {
                break; // the mark itself was lost and the operator vouches for the segments; never truncated
            } else {
                throw new StoreCorruptedException(p, 0, read == null
                        ? p.getFileName() + " holds data but the store has no high-water mark (" + HighWaterMark.FILE
                        + " was deleted, or an older version wrote this directory), so nothing proves the segment"
                        + " belongs to it; move it away, or open with acceptLostCheckpoints(true) to adopt the segments"
                        : p.getFileName() + " is newer than the newest segment this store started ("
                        + segmentName(mark.newestSegment()) + ", per " + HighWaterMark.FILE
                        + "): a stray, renamed or copied file; it was not read, truncated or adopted: move it away");
            }
        }
        if (deleted) {
            // the newest segment is now another one: lock it instead
            locks.lockNewestSegment(segmentIds(), id -> directory.resolve(segmentName(id)), this::segmentIds, name);
        }
        if (mark.newestSegment() >= 0 && !ids.contains(mark.newestSegment())) {
            lost(segmentName(mark.newestSegment()) + ", the newest segment the store started (per "
                    + HighWaterMark.FILE + "), is missing: every checkpoint written to it is lost (checkpoint "
                    + mark.acknowledged() + " was the newest acknowledged when it was started)");
        }
        long[] floorRecord = readFloorFile();
        long floorFile = floorRecord[0];
        floorFirstSegment = floorRecord[1];
        floorWritten = floorFile;
        firstSegmentWritten = floorFirstSegment;
        Scan scan = new Scan();
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            scan.segment(s, i == 0, i == segments.size() - 1, s.firstId <= mark.newestSegment());
        }
        if (mark.acknowledged() >= 0 && scan.lastCommittedId < mark.acknowledged()) {
            lost("checkpoint " + mark.acknowledged() + " was acknowledged (per " + HighWaterMark.FILE
                    + ") but the newest checkpoint in the segments is " + scan.lastCommittedId
                    + ": the end of the store was cut or deleted, and every checkpoint after "
                    + scan.lastCommittedId + " is lost");
        }
        if (floorFile >= 0) {
            // Compaction deleted segments on the strength of this floor; without its checkpoint, older ones
            // cannot be restored and newer ones cannot be trusted to be complete. A crash cannot cause this.
            if (!scan.found.contains(floorFile)) {
                throw new StoreCorruptedException(directory.resolve(FLOOR), 0, "checkpoint " + floorFile
                        + ", the oldest restorable one when segments were last deleted, is missing from the segments");
            }
            if (!segments.isEmpty() && segments.get(0).firstId > floorFirstSegment) {
                throw new StoreCorruptedException(directory.resolve(FLOOR), 0, "segment "
                        + segmentName(floorFirstSegment) + ", which compaction kept, is missing");
            }
            history.advance(floorFile);
        }
        history.advance(history.floorWith(-1, clock.millis()));
        if (scan.tornTail != null) {
            // Loudly: a crash during that checkpoint's commit looks the same as a lost or damaged end of the
            // store, and checkpoints cut away whole after the last one found cannot be seen at all.
            warn(scan.tornTail.report());
            // The torn tail goes before anything is appended, and the cut is made durable: otherwise a later
            // checkpoint could sit behind leftovers that a second crash brings back.
            scan.tornTail.segment().file.truncate(scan.tornTail.at());
            scan.tornTail.segment().file.force();
        }
        HighWaterMark.Mark now = new HighWaterMark.Mark(segments.isEmpty() ? -1 : segments.getLast().firstId,
                scan.lastCommittedId);
        if (acceptedLoss || (read == null && !segments.isEmpty())) {
            // After an accepted loss or adopted segments only: the next open must judge from what is here now.
            HighWaterMark.write(io, directory, now);
            io.forceDirectory(directory);
            mark = now;
        }
    }

    /** Refuses to open on a provable loss of acknowledged checkpoints, or logs it if the builder accepts it. */
    private void lost(String what) {
        if (!acceptLost) {
            throw new StoreCorruptedException(directory.resolve(HighWaterMark.FILE), 0, what
                    + "; nothing was changed: restore the missing files, or open with acceptLostCheckpoints(true)"
                    + " to accept the loss");
        }
        acceptedLoss = true;
        warn("acknowledged checkpoints lost (accepted by acceptLostCheckpoints): " + what);
    }

    private void warn(String what) {
        recoveryWarnings.add(what);
        LOG.log(System.Logger.Level.WARNING, name + ": recovery " + what);
    }

    /**
     * What this store's open found and reported (also logged at WARNING to {@code io.aurora4j.store}): torn
     * tails dropped, empty segments deleted, accepted losses. Empty after a clean open. For tests and tools.
     */
    public List<String> recoveryWarnings() {
        return List.copyOf(recoveryWarnings);
    }

    /** {floor, first kept segment} recorded before segments were last deleted, or {-1, -1}. */
    private long[] readFloorFile() throws IOException {
        Path tmp = directory.resolve(FLOOR + ".tmp");
        if (io.exists(tmp)) {
            io.delete(tmp); // a crash while writing it: the old FLOOR (or none) still holds
        }
        Path p = directory.resolve(FLOOR);
        if (!io.exists(p)) {
            return new long[]{-1, -1};
        }
        try (StoreIO.FileHandle h = io.open(p, false)) {
            ByteBuffer b = littleEndian(ByteBuffer.allocate(FLOOR_LENGTH));
            if (h.size() != FLOOR_LENGTH) {
                throw new StoreCorruptedException(p, 0, "the floor file has " + h.size() + " bytes, not " + FLOOR_LENGTH);
            }
            readFully(h, b, 0);
            long floor = b.getLong(8);
            long firstSegment = b.getLong(16);
            if (b.getInt(0) != FLOOR_MAGIC || b.getInt(4) != RecordDescriptor.crc(b.array(), 8, 16) || floor < 0
                    || firstSegment < 0) {
                throw new StoreCorruptedException(p, 0, "the floor file does not check");
            }
            return new long[]{floor, firstSegment};
        }
    }

    /**
     * Makes {@code floor} and the first segment compaction keeps durable in the FLOOR file (write aside,
     * force, rename, force the directory).
     */
    private void writeFloorFile(long floor, long firstSegment) throws IOException {
        Path tmp = directory.resolve(FLOOR + ".tmp");
        try (StoreIO.FileHandle h = io.open(tmp, true)) {
            ByteBuffer b = littleEndian(ByteBuffer.allocate(FLOOR_LENGTH));
            b.putInt(FLOOR_MAGIC).putInt(0).putLong(floor).putLong(firstSegment);
            b.putInt(4, RecordDescriptor.crc(b.array(), 8, 16));
            b.flip();
            h.write(b, 0);
            h.truncate(FLOOR_LENGTH);
            h.force();
        }
        io.rename(tmp, directory.resolve(FLOOR));
        io.forceDirectory(directory);
    }

    /** A torn tail to cut at {@code at} once recovery's checks pass; {@code report} says what goes. */
    private record TornTail(Segment segment, long at, String report) {
    }

    /** The scan of all segments at open: validates records and replays committed checkpoints into the history. */
    private final class Scan {
        private final CRC32C crc = new CRC32C();
        private ByteBuffer window = littleEndian(ByteBuffer.allocate(READ_BUFFER));
        private long windowStart;
        private int windowLength;
        private StoreIO.FileHandle windowFile;
        private long lastCommittedId = -1;
        TornTail tornTail; // the cut the scan found to make, if any
        final java.util.Set<Long> found = new java.util.HashSet<>();

        /**
         * Scans one segment. {@code mayTruncate}: the high-water mark vouches for it (it is the newest segment
         * the store started, or older), so a bad end in it is a torn tail the scan may cut; a segment it does
         * not vouch for is never cut.
         */
        void segment(Segment s, boolean first, boolean last, boolean mayTruncate) throws IOException {
            long size = s.file.size();
            windowFile = s.file;
            windowLength = 0;
            long pos = 0;
            long beginOffset = -1;
            long records = 0;
            long checkpointId = -1;
            long baseId = -1;
            long floor = -1;
            String label = null;
            List<Op<Loc>> ops = new ArrayList<>();
            while (true) {
                if (pos == size) {
                    if (beginOffset >= 0) {
                        if (!last) {
                            throw new StoreCorruptedException(s.path, beginOffset, "checkpoint " + checkpointId
                                    + " has no COMMIT and a later segment exists");
                        }
                        truncate(s, beginOffset, size, checkpointId, "it has no COMMIT", mayTruncate);
                        return;
                    }
                    s.size = size;
                    return;
                }
                String bad = null;
                int length = 0;
                byte type = 0;
                if (size - pos < HEADER_LENGTH) {
                    bad = "a record header is cut short";
                } else {
                    ensure(pos, HEADER_LENGTH);
                    int w = (int) (pos - windowStart);
                    length = window.getInt(w + LENGTH_OFFSET);
                    int storedCrc = window.getInt(w + CRC_OFFSET);
                    type = window.get(w + TYPE_OFFSET);
                    if (length < 0 || length > MAX_PAYLOAD || length > size - pos - HEADER_LENGTH) {
                        bad = "impossible length " + length;
                    } else if (!isValidType(type)) {
                        bad = "unknown record type " + type;
                    } else {
                        ensure(pos, HEADER_LENGTH + length);
                        w = (int) (pos - windowStart);
                        crc.reset();
                        crc.update(window.array(), w + TYPE_OFFSET, 1 + length);
                        if ((int) crc.getValue() != storedCrc) {
                            bad = "checksum mismatch in a " + typeName(type) + " record";
                        }
                    }
                }
                String broken = null; // an intact record that breaks the structure: never a torn write
                if (bad == null) {
                    int w = (int) (pos - windowStart);
                    ByteBuffer p = littleEndian(ByteBuffer.wrap(window.array(), w + HEADER_LENGTH, length).slice());
                    try {
                        if (type == BEGIN) {
                            if (beginOffset >= 0) {
                                broken = "BEGIN inside checkpoint " + checkpointId;
                            } else {
                                checkpointId = p.getLong();
                                baseId = p.getLong();
                                p.getLong(); // begin time
                                floor = p.getLong();
                                int labelLength = p.getInt();
                                if (labelLength < -1 || labelLength > MAX_LABEL
                                        || p.remaining() != Math.max(0, labelLength)) {
                                    broken = "malformed BEGIN";
                                } else if (checkpointId <= lastCommittedId) {
                                    broken = "checkpoint id " + checkpointId + " does not exceed " + lastCommittedId;
                                } else if (baseId >= 0 && lastCommittedId >= 0 && baseId != lastCommittedId) {
                                    broken = "checkpoint " + checkpointId + " is incremental over " + baseId
                                            + " but the checkpoint before it is " + lastCommittedId
                                            + " (is a segment missing?)";
                                } else if (baseId >= 0 && lastCommittedId < 0 && !(first && pos == 0
                                        && floorFirstSegment >= 0 && s.firstId <= floorFirstSegment)) {
                                    // Only compaction removes a base, and only whole segments before the one the
                                    // FLOOR file names: anything else lost data.
                                    broken = "checkpoint " + checkpointId + " is incremental over " + baseId
                                            + ", which is in no segment, and compaction did not remove it";
                                } else {
                                    label = labelLength < 0 ? null : new String(window.array(),
                                            w + HEADER_LENGTH + BEGIN_FIXED, labelLength, StandardCharsets.UTF_8);
                                    beginOffset = pos;
                                    records = 1;
                                    ops = new ArrayList<>();
                                }
                            }
                        } else if (beginOffset < 0) {
                            broken = typeName(type) + " record outside a checkpoint";
                        } else if (type == COMMIT) {
                            long id = p.getLong();
                            long count = p.getLong();
                            long bytes = p.getLong();
                            long time = p.getLong();
                            if (length != COMMIT_LENGTH || id != checkpointId || count != records
                                    || bytes != pos - beginOffset) {
                                broken = "COMMIT of checkpoint " + id + " disagrees with its checkpoint";
                            } else {
                                long end = pos + HEADER_LENGTH + length;
                                StoredCheckpoint cp = new StoredCheckpoint(checkpointId, baseId, label, time,
                                        end - beginOffset);
                                s.lastCheckpointId = checkpointId;
                                history.commit(new Delta<>(cp, List.copyOf(ops), floor));
                                lastCommittedId = checkpointId;
                                found.add(checkpointId);
                                beginOffset = -1;
                                pos = end;
                                continue;
                            }
                        } else {
                            Op<Loc> op = parseChange(s, pos, type, p);
                            if (op == null) {
                                broken = "malformed " + typeName(type) + " record";
                            } else {
                                ops.add(op);
                                records++;
                            }
                        }
                    } catch (RuntimeException malformed) { // BufferUnderflow and friends: a malformed payload
                        broken = "malformed " + typeName(type) + " record";
                    }
                }
                if (broken != null) {
                    throw new StoreCorruptedException(s.path, pos, broken);
                }
                if (bad != null) {
                    if (!last) {
                        throw new StoreCorruptedException(s.path, pos, bad);
                    }
                    String other = laterCheckpoint(s, pos, size, beginOffset >= 0 ? checkpointId : -1);
                    if (other != null) {
                        throw new StoreCorruptedException(s.path, pos, bad + ", and " + other + " follows it");
                    }
                    truncate(s, beginOffset >= 0 ? beginOffset : pos, size, beginOffset >= 0 ? checkpointId : -1,
                            bad + " at offset " + pos, mayTruncate);
                    return;
                }
                pos += HEADER_LENGTH + length;
            }
        }

        private byte[] lastIdBytes = new byte[0];
        private String lastId = "";

        private Op<Loc> parseChange(Segment s, long pos, byte type, ByteBuffer p) {
            int idLength = Short.toUnsignedInt(p.getShort());
            if (idLength > p.remaining()) {
                return null;
            }
            String id;
            if (idLength == lastIdBytes.length && p.hasArray() && java.util.Arrays.equals(p.array(),
                    p.arrayOffset() + p.position(), p.arrayOffset() + p.position() + idLength, lastIdBytes, 0, idLength)) {
                p.position(p.position() + idLength);
                id = lastId; // a region's pages repeat its id: one string for all of them (a 2 GiB region has 524,288)
            } else {
                byte[] idBytes = new byte[idLength];
                p.get(idBytes);
                id = new String(idBytes, StandardCharsets.UTF_8);
                lastIdBytes = idBytes;
                lastId = id;
            }
            int recordLength = HEADER_LENGTH + p.limit();
            switch (type) {
                case OBJECT -> {
                    byte kind = p.get();
                    long orderId = p.getLong();
                    int orderSeq = p.getInt();
                    return new Op.PutObject<>(id, kind, orderId, orderSeq, loc(s, pos, recordLength, p));
                }
                case REMOVE_OBJECT -> {
                    return p.hasRemaining() ? null : new Op.RemoveObject<>(id);
                }
                case ENTRY -> {
                    int keyLength = p.getInt();
                    if (keyLength < 0 || keyLength > p.remaining()) {
                        return null;
                    }
                    byte[] key = new byte[keyLength];
                    p.get(key);
                    return new Op.PutEntry<>(id, new Key(key), loc(s, pos, recordLength, p));
                }
                case REMOVE_ENTRY -> {
                    byte[] key = new byte[p.remaining()];
                    p.get(key);
                    return new Op.RemoveEntry<>(id, new Key(key));
                }
                case PAGE -> {
                    long index = p.getLong();
                    return index < 0 ? null : new Op.PutPage<>(id, index, loc(s, pos, recordLength, p));
                }
                default -> {
                    return null;
                }
            }
        }

        private Loc loc(Segment s, long pos, int recordLength, ByteBuffer p) {
            return new Loc(s, pos, recordLength, HEADER_LENGTH + p.position(), p.remaining());
        }

        /**
         * Looks behind a bad record at {@code from} for evidence of a checkpoint other than {@code current} (the
         * one the bad record belongs to, or -1 if unknown: then the first one found is taken as it). Returns a
         * description of it, or null. Evidence is an intact BEGIN from which intact records run to an intact
         * COMMIT that agrees with it (a whole checkpoint), or an intact COMMIT whose checkpoint began at or after
         * the bad record (its BEGIN is the damaged one). A lone record-shaped run of bytes is not evidence: the
         * values of a torn checkpoint are the user's bytes, and a page may well hold a copy of a BEGIN record
         * (issue #10: taking it for a later checkpoint made the torn newest checkpoint an unopenable store).
         */
        private String laterCheckpoint(Segment s, long from, long size, long current) throws IOException {
            long seen = current;
            int maxBegin = HEADER_LENGTH + BEGIN_FIXED + MAX_LABEL;
            CRC32C c = new CRC32C();
            for (long p = from + 1; p + HEADER_LENGTH <= size; p++) {
                ensureUpTo(p, Math.min(size - p, maxBegin));
                int w = (int) (p - windowStart);
                byte type = window.get(w + TYPE_OFFSET);
                if (type != BEGIN && type != COMMIT) {
                    continue;
                }
                int length = window.getInt(w + LENGTH_OFFSET);
                boolean plausible = type == COMMIT ? length == COMMIT_LENGTH
                        : length >= BEGIN_FIXED && length <= BEGIN_FIXED + MAX_LABEL;
                if (!plausible || length > size - p - HEADER_LENGTH) {
                    continue;
                }
                c.reset();
                c.update(window.array(), w + TYPE_OFFSET, 1 + length);
                if ((int) c.getValue() != window.getInt(w + CRC_OFFSET)) {
                    continue;
                }
                long id = window.getLong(w + HEADER_LENGTH);
                if (type == COMMIT) {
                    long bytes = window.getLong(w + HEADER_LENGTH + 16);
                    if (bytes < 0 || p - bytes < from) {
                        continue; // not the COMMIT of a checkpoint whose BEGIN the damage could have hit
                    }
                } else if (!wholeCheckpoint(p, size, id)) {
                    continue;
                }
                if (seen < 0) {
                    seen = id;
                } else if (id != seen) {
                    return "an intact " + (type == BEGIN ? "checkpoint" : "COMMIT of checkpoint") + " " + id
                            + " at offset " + p;
                }
            }
            return null;
        }

        /**
         * Whether intact records run from the BEGIN of checkpoint {@code id} at {@code begin} to an intact COMMIT
         * of it that agrees (record count and bytes). Moves the window.
         */
        private boolean wholeCheckpoint(long begin, long size, long id) throws IOException {
            CRC32C c = new CRC32C();
            long q = begin;
            long records = 0;
            while (q + HEADER_LENGTH <= size) {
                ensure(q, HEADER_LENGTH);
                int w = (int) (q - windowStart);
                int length = window.getInt(w + LENGTH_OFFSET);
                byte type = window.get(w + TYPE_OFFSET);
                if (length < 0 || length > MAX_PAYLOAD || length > size - q - HEADER_LENGTH || !isValidType(type)
                        || (type == BEGIN) != (q == begin)) {
                    return false;
                }
                ensure(q, HEADER_LENGTH + length);
                w = (int) (q - windowStart);
                c.reset();
                c.update(window.array(), w + TYPE_OFFSET, 1 + length);
                if ((int) c.getValue() != window.getInt(w + CRC_OFFSET)) {
                    return false;
                }
                if (type == COMMIT) {
                    return length == COMMIT_LENGTH && window.getLong(w + HEADER_LENGTH) == id
                            && window.getLong(w + HEADER_LENGTH + 8) == records
                            && window.getLong(w + HEADER_LENGTH + 16) == q - begin;
                }
                records++;
                q += HEADER_LENGTH + length;
            }
            return false;
        }

        /** Makes file bytes [pos, pos + n) available in the window. */
        private void ensure(long pos, int n) throws IOException {
            if (pos >= windowStart && pos + n <= windowStart + windowLength) {
                return;
            }
            if (window.capacity() < n) {
                window = littleEndian(ByteBuffer.allocate(n)); // n is bounded by the file size and MAX_PAYLOAD
            }
            window.clear();
            long size = windowFile.size();
            int want = (int) Math.min(window.capacity(), size - pos);
            window.limit(want);
            readFully(windowFile, window, pos);
            windowStart = pos;
            windowLength = want;
            window.clear();
        }

        private void ensureUpTo(long pos, long n) throws IOException {
            ensure(pos, (int) n);
        }

        private void truncate(Segment s, long at, long size, long checkpointId, String why, boolean mayTruncate)
                throws IOException {
            String what = (size - at) + " bytes at offset " + at + " of " + s.path.getFileName() + " ("
                    + (checkpointId >= 0 ? "checkpoint " + checkpointId : "no intact BEGIN") + ": " + why + ")";
            if (!mayTruncate) {
                throw new StoreCorruptedException(s.path, at, "a bad end (" + what + ") in a segment the high-water"
                        + " mark does not vouch for: not truncated");
            }
            s.size = at;
            // Carried out by recover() only once every check has passed: an open that refuses changes nothing.
            tornTail = new TornTail(s, at, "dropped the torn tail: " + what + "; the newest checkpoint kept is "
                    + (lastCommittedId >= 0 ? lastCommittedId : "none"));
        }
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
                current = startSegment(id);
            }
            writer = new Writer(id, baseId, label, now, history.floorWith(id, now), current);
            return writer;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts the segment whose first checkpoint is {@code id}, under the lock. Order: the file is created, locked
     * and made durable (directory force) first, then the high-water mark naming it (write, fsync, rename,
     * directory force), and only then is anything written to it: so a segment above the mark is, after any
     * crash, empty, and a non-empty one there is not this store's. Two directory forces and one small fsync per
     * segment ({@code segmentBytes}, 64 MiB by default), none per checkpoint.
     */
    private Segment startSegment(long id) {
        Path p = directory.resolve(segmentName(id));
        try {
            if (io.exists(p)) {
                // Ids only grow, so this store never made it: adopting it would mix a foreign file into the log.
                throw new StoreException(name + ": cannot start " + p.getFileName() + " for checkpoint " + id
                        + ": a file of that name already exists (a stray file, or another store's); move it away");
            }
        } catch (IOException e) {
            throw failure.fail("starting segment " + segmentName(id), e);
        }
        try {
            locks.checkLockFile(name);
            StoreIO.FileHandle h = io.open(p, true);
            Segment started = new Segment(id, p, h, 0);
            segments.add(started);
            locks.moveSegmentLock(p); // the new segment is locked before the old one is let go
            // The entry must be durable before a checkpoint in it can be: fsync of the file alone
            // does not make a new directory entry survive a power cut.
            io.forceDirectory(directory);
            HighWaterMark.Mark m = new HighWaterMark.Mark(id, history.newest() == null ? -1 : history.newest().id());
            HighWaterMark.write(io, directory, m);
            io.forceDirectory(directory);
            mark = m;
            return started;
        } catch (IOException e) {
            throw failure.fail("starting segment " + segmentName(id), e);
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
        if (deleter != null) {
            deleter.shutdown(TimeUnit.SECONDS.toNanos(CLOSE_WAIT_SECONDS));
        }
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

    /** Deletes dead segments, oldest first. Called with the lock held, after a commit moved the floor. */
    private void compact() {
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
                writeFloorFile(floor, firstKept);
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
     * segments compaction hands it, first in first out, each with its directory force ({@link #deleteSegment}).
     * A failed close, delete or force fails the store ({@link Failure}): the commit that compacted has already
     * returned, so the failure surfaces at the next begin or log append. Once the store has failed or is
     * closing past its wait, what remains is abandoned (handles closed, files left for recovery). Thread-safe:
     * its queue and state are guarded by its monitor; it never takes the store's lock, so {@link #close()} can
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

    // ---------------------------------------------------------------------------------------------- writing

    /** Appends records through the store's write buffer; forces once at commit. */
    private final class Writer extends AbstractCheckpointWriter<Loc> {
        private final Segment segment;
        private final long start;
        private final long floor;
        private final CRC32C crc = new CRC32C();
        private long flushed;
        private long records;
        private long relocatedBytes;
        private long relocatedRecords;
        /** Pairs (old location, its copy) that cleaning wrote in this checkpoint, linked at its commit. */
        private final List<Loc> moves = new ArrayList<>();

        Writer(long id, long baseId, String label, long now, long floor, Segment segment) {
            super(id, baseId, label, history.head());
            this.segment = segment;
            this.start = segment.size;
            this.flushed = segment.size;
            this.floor = floor;
            writeBuffer.clear();
            byte[] labelBytes = label == null ? null : label.getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = reserve(BEGIN, BEGIN_FIXED + (labelBytes == null ? 0 : labelBytes.length));
            b.putLong(id).putLong(baseId).putLong(now).putLong(floor).putInt(labelBytes == null ? -1 : labelBytes.length);
            if (labelBytes != null) {
                b.put(labelBytes);
            }
            finish(b);
        }

        @Override
        Loc writeObject(String objectId, byte kind, long orderId, int orderSeq, byte[] value) {
            byte[] idBytes = objectId.getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = reserve(OBJECT, checkedLength(2L + idBytes.length + 1 + 8 + 4 + value.length));
            b.putShort((short) idBytes.length).put(idBytes).put(kind).putLong(orderId).putInt(orderSeq);
            int valueOffset = b.position() - recordStart;
            b.put(value);
            return finish(b, valueOffset, value.length);
        }

        @Override
        void writeRemoveObject(String objectId) {
            byte[] idBytes = objectId.getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = reserve(REMOVE_OBJECT, 2 + idBytes.length);
            b.putShort((short) idBytes.length).put(idBytes);
            finish(b);
        }

        @Override
        Loc writeEntry(String objectId, byte[] key, byte[] value) {
            byte[] idBytes = objectId.getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = reserve(ENTRY, checkedLength(2L + idBytes.length + 4 + key.length + value.length));
            b.putShort((short) idBytes.length).put(idBytes).putInt(key.length).put(key);
            int valueOffset = b.position() - recordStart;
            b.put(value);
            return finish(b, valueOffset, value.length);
        }

        @Override
        void writeRemoveEntry(String objectId, byte[] key) {
            byte[] idBytes = objectId.getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = reserve(REMOVE_ENTRY, checkedLength(2L + idBytes.length + key.length));
            b.putShort((short) idBytes.length).put(idBytes).put(key);
            finish(b);
        }

        @Override
        Loc writePage(String objectId, long index, DirectBuffer src, int offset, int length) {
            byte[] idBytes = objectId.getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = reserve(PAGE, checkedLength(2L + idBytes.length + 8 + length));
            b.putShort((short) idBytes.length).put(idBytes).putLong(index);
            int valueOffset = b.position() - recordStart;
            src.getBytes(offset, b, b.position(), length);
            b.position(b.position() + length);
            return finish(b, valueOffset, length);
        }

        @Override
        StoredCheckpoint doCommit() {
            if (!isFull() && cleaning.enabled) {
                clean(); // before the COMMIT: the copies belong to this checkpoint and die with it in a crash
            }
            long commitAt = position();
            long time = clock.millis();
            ByteBuffer b = reserve(COMMIT, COMMIT_LENGTH);
            b.putLong(id).putLong(records).putLong(commitAt - start).putLong(time);
            finish(b);
            long end = position();
            try {
                flush();
                segment.file.force(); // the one fsync of a checkpoint: everything above and the COMMIT together
            } catch (IOException e) {
                release();
                throw failure.fail("committing checkpoint " + id, e);
            }
            StoredCheckpoint cp = new StoredCheckpoint(id, baseId, label, time, end - start);
            lock.lock();
            try {
                segment.size = end;
                segment.lastCheckpointId = id;
                // Link each moved record to its copy before compaction below can delete its segment: a state
                // taken earlier (a lazily restored region's) still reads the old location (see Loc).
                for (int i = 0; i < moves.size(); i += 2) {
                    moves.get(i).moved(moves.get(i + 1));
                }
                history.commit(new Delta<>(cp, List.copyOf(ops), floor));
                cleaning.committed(relocatedBytes, relocatedRecords);
                writer = null;
                try {
                    compact();
                } catch (StoreFailedException e) {
                    // The checkpoint is durable, so the commit stands; the store is failed from now on and the
                    // next begin says so.
                }
            } finally {
                lock.unlock();
            }
            return cp;
        }

        @Override
        void doAbort() {
            lock.lock();
            try {
                if (writer != this) {
                    return;
                }
                writer = null;
                if (flushed > start && !closed) {
                    try {
                        segment.file.truncate(start);
                        segment.file.force(); // leftovers of an abandoned checkpoint must not outlive a crash
                    } catch (IOException e) {
                        failure.fail("aborting checkpoint " + id, e);
                    }
                }
            } finally {
                lock.unlock();
            }
        }

        /**
         * Copies forward, within the budget, the live records of the oldest segments behind the floor when the
         * cleaning trigger fires (the policy is {@link Cleaning}'s). Runs on the writer's thread; the head index
         * it reads changes only when this writer commits.
         */
        private void clean() {
            long budget = cleaning.budgetFor(position() - start);
            List<Segment> victims;
            lock.lock();
            try {
                victims = cleaning.victims(segments, segment, floor, liveBytes, budget);
            } finally {
                lock.unlock();
            }
            if (victims.isEmpty()) {
                return;
            }
            StateIndex<Loc> head = history.head();
            Cleaning.Touched touched = new Cleaning.Touched(ops);
            boolean planned = false;
            while (relocatedBytes < budget) {
                if (!cleaning.hasPlan()) {
                    if (planned) {
                        return; // planned once already: the head still names what was copied, so a new plan would repeat it
                    }
                    cleaning.plan(head, victims);
                    planned = true;
                }
                Cleaning.Relocation r = cleaning.next();
                if (r == null) {
                    return;
                }
                Loc live = r.liveIn(head);
                if (live == null || touched.covers(r)) {
                    continue; // superseded since it was planned, or changed by this very checkpoint
                }
                byte[] record = readForCleaning(r);
                if (record == null) {
                    return;
                }
                Loc copy = appendVerbatim(record, r.loc());
                ops.add(r.op(head, copy));
                moves.add(live);
                moves.add(copy);
                relocatedBytes += record.length;
                relocatedRecords++;
            }
        }

        /**
         * The record to copy, its length, type and checksum checked; null (and cleaning stopped) if it cannot be
         * read or does not check: copying a damaged record would hide the damage behind a fresh position, and
         * leaving it where it is keeps the error where a reader will meet it, with its file and offset.
         */
        private byte[] readForCleaning(Cleaning.Relocation r) {
            Loc loc = r.loc();
            Segment s = loc.segment();
            byte[] record = new byte[loc.length()];
            ByteBuffer b = littleEndian(ByteBuffer.wrap(record));
            String problem = null;
            try {
                readAhead(loc, record);
                int length = b.getInt(LENGTH_OFFSET);
                if (length != loc.length() - HEADER_LENGTH || record[TYPE_OFFSET] != r.type()
                        || RecordDescriptor.crc(record, TYPE_OFFSET, 1 + length) != b.getInt(CRC_OFFSET)) {
                    problem = "checksum mismatch in the " + typeName(r.type()) + " record at " + s.path + " offset "
                            + loc.offset();
                }
            } catch (IOException e) {
                problem = "cannot read " + s.path + " at " + loc.offset() + " (" + e + ")";
            }
            if (problem == null) {
                return record;
            }
            lock.lock();
            try {
                cleaning.stall("checkpoint " + id + ": cleaning stopped: " + problem);
            } finally {
                lock.unlock();
            }
            return null;
        }

        private Segment windowSegment;
        private long windowStart;
        private int windowLength;

        /**
         * Reads the record at {@code loc} into {@code into} through a read-ahead window of up to 1 MiB: the plan
         * visits records in file order, and on D1-like workloads the live records of a segment come in runs, so
         * one sequential read serves many of them instead of one positional read per 4 KiB page. The window may
         * also read dead records between live ones: at a live fraction of 20% that is five bytes read per byte
         * copied, sequentially, which a disk does faster than scattered small reads.
         */
        private void readAhead(Loc loc, byte[] into) throws IOException {
            Segment s = loc.segment();
            if (loc.length() > READ_BUFFER) {
                readFully(s.file, ByteBuffer.wrap(into), loc.offset());
                return;
            }
            if (s != windowSegment || loc.offset() < windowStart
                    || loc.offset() + loc.length() > windowStart + windowLength) {
                if (cleaningWindow == null) {
                    cleaningWindow = new byte[READ_BUFFER];
                }
                // s.size no longer changes: only the last segment grows, and victims are never the last one
                int n = (int) Math.max(loc.length(), Math.min(READ_BUFFER, s.size - loc.offset()));
                windowSegment = null; // a failed read must not leave a half-filled window behind
                readFully(s.file, ByteBuffer.wrap(cleaningWindow, 0, n), loc.offset());
                windowSegment = s;
                windowStart = loc.offset();
                windowLength = n;
            }
            System.arraycopy(cleaningWindow, (int) (loc.offset() - windowStart), into, 0, loc.length());
        }

        /** Appends {@code record}, an intact record read from {@code from}, byte for byte; where the copy is. */
        private Loc appendVerbatim(byte[] record, Loc from) {
            checkMine();
            if (record.length > writeBuffer.remaining()) {
                flushOrFail();
            }
            long fileOffset;
            if (record.length > writeBuffer.capacity()) {
                fileOffset = flushed;
                try {
                    segment.file.write(ByteBuffer.wrap(record), flushed);
                } catch (IOException e) {
                    release();
                    throw failure.fail("writing checkpoint " + id, e);
                }
                flushed += record.length;
            } else {
                fileOffset = flushed + writeBuffer.position();
                writeBuffer.put(record);
            }
            records++;
            return new Loc(segment, fileOffset, from.length(), from.valueOffset(), from.valueLength());
        }

        // -- the buffer. A record is laid out in the buffer (or a one-off buffer if it is larger) as
        //    header + payload; finish() fills in length and CRC.

        private int recordStart;
        private ByteBuffer oneOff;

        private ByteBuffer reserve(byte type, int payload) {
            checkMine();
            int total = HEADER_LENGTH + payload;
            ByteBuffer b;
            if (total > writeBuffer.remaining()) {
                flushOrFail();
            }
            if (total > writeBuffer.capacity()) {
                oneOff = littleEndian(ByteBuffer.allocate(total));
                b = oneOff;
            } else {
                oneOff = null;
                b = writeBuffer;
            }
            recordStart = b.position();
            b.putInt(payload).putInt(0).put(type);
            return b;
        }

        private void finish(ByteBuffer b) {
            finish(b, 0, 0);
        }

        private Loc finish(ByteBuffer b, int valueOffset, int valueLength) {
            int length = b.position() - recordStart;
            crc.reset();
            crc.update(b.array(), recordStart + TYPE_OFFSET, length - TYPE_OFFSET);
            b.putInt(recordStart + CRC_OFFSET, (int) crc.getValue());
            long fileOffset;
            if (b == oneOff) {
                flushOrFail();
                fileOffset = flushed;
                b.flip();
                try {
                    segment.file.write(b, flushed);
                } catch (IOException e) {
                    release();
                    throw failure.fail("writing checkpoint " + id, e);
                }
                flushed += length;
                oneOff = null;
            } else {
                fileOffset = flushed + recordStart;
            }
            records++;
            return new Loc(segment, fileOffset, length, valueOffset, valueLength);
        }

        private long position() {
            return flushed + writeBuffer.position();
        }

        private void flushOrFail() {
            try {
                flush();
            } catch (IOException e) {
                release();
                throw failure.fail("writing checkpoint " + id, e);
            }
        }

        private void flush() throws IOException {
            if (writeBuffer.position() == 0) {
                return;
            }
            writeBuffer.flip();
            int n = writeBuffer.remaining();
            segment.file.write(writeBuffer, flushed);
            flushed += n;
            writeBuffer.clear();
        }

        private void checkMine() {
            if (closed) {
                throw new IllegalStateException(name + " is closed; checkpoint " + id + " was aborted");
            }
            if (failure.isFailed()) { // the message only when it is thrown: this runs for every record
                failure.check("write checkpoint " + id);
            }
        }

        private int checkedLength(long payload) {
            if (payload > MAX_PAYLOAD) {
                throw new IllegalArgumentException("a record of checkpoint " + id + " would be " + payload
                        + " bytes; the most is " + MAX_PAYLOAD);
            }
            return (int) payload;
        }

        /** The writer is finished by a failure: the store takes no more from it. */
        private void release() {
            markDone();
            lock.lock();
            try {
                if (writer == this) {
                    writer = null;
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
