package io.aurora4j.store.internal;

import io.aurora4j.store.RecoveryReport;
import io.aurora4j.store.RecoveryReport.Kind;
import io.aurora4j.store.StoreCorruptedException;
import io.aurora4j.store.StoreIO;
import io.aurora4j.store.StoredCheckpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

import static io.aurora4j.store.internal.DirectoryStore.readFully;
import static io.aurora4j.store.internal.DirectoryStore.segmentName;
import static io.aurora4j.store.internal.RecordDescriptor.*;

/**
 * One job: the recovery scan at open. It locks the newest segment, reads the {@link HighWaterMark} and the
 * {@link FloorFile}, scans every segment (record framing, CRC32C, checkpoint structure), replays committed
 * checkpoints into the store's {@link History}, checks what the mark and FLOOR promise, and only then cuts a torn
 * tail. Used once per {@link DirectoryStore#open open}, on the opening thread, before the store is published.
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
 * checkpoint, also in {@link DirectoryStore#recoveryWarnings()} and as a finding of {@link DirectoryStore#recovery()});
 * the cut is made only after every check of the open passed, so an open that refuses changes nothing.
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
 */
final class Recovery {
    private static final Pattern SEGMENT = Pattern.compile("segment-(\\d{16})\\.log");
    private static final int READ_BUFFER = 1 << 20;
    private static final System.Logger LOG = System.getLogger("io.aurora4j.store");

    private final DirectoryStore store;
    private final Path directory;
    private final StoreIO io;
    private final String name;
    private final Clock clock;
    private final List<Segment> segments;
    private final History<Loc> history;
    private final DirectoryLocks locks;
    private final boolean acceptLost;
    private final List<String> recoveryWarnings;
    private final List<Found> findings = new ArrayList<>(); // what warn() reported, for the RecoveryReport
    private boolean acceptedLoss;
    private long floorFirstSegment = -1; // from the FLOOR file: the first segment compaction kept

    private Recovery(DirectoryStore store, boolean acceptLost) {
        this.store = store;
        this.directory = store.directory;
        this.io = store.io;
        this.name = store.name;
        this.clock = store.clock;
        this.segments = store.segments;
        this.history = store.history;
        this.locks = store.locks;
        this.acceptLost = acceptLost;
        this.recoveryWarnings = store.recoveryWarnings;
    }

    /** Recovers {@code store} from its directory; see the class comment. */
    static void recover(DirectoryStore store, boolean acceptLost) throws IOException {
        new Recovery(store, acceptLost).recover();
    }

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
        store.mark = read == null ? HighWaterMark.Mark.NONE : read;
        // One handle per segment, kept for the store's life: closing any other descriptor of a file would
        // drop this process's POSIX lock on it (the newest segment's, above).
        for (long id : ids) {
            Path p = directory.resolve(segmentName(id));
            segments.add(new Segment(id, p, io.open(p, false), 0));
        }
        boolean deleted = false;
        for (int i = ids.size() - 1; i >= 0 && ids.get(i) > store.mark.newestSegment(); i--) {
            Segment s = segments.get(i);
            Path p = s.path;
            if (s.file.size() == 0 && (read != null || i == ids.size() - 1)) {
                // A crash while starting a segment: it is made durable before the mark that names it, and
                // nothing is written to it before that mark is. It holds nothing.
                DirectoryLocks.closeQuietly(s.file);
                segments.remove(i);
                io.delete(p);
                io.forceDirectory(directory);
                warn(Kind.EMPTY_SEGMENT_DELETED, p, -1, 0, -1, "deleted the empty " + p.getFileName() + ", newer than the newest segment the store had"
                        + " started (a crash while starting it)");
                ids.remove(i);
                deleted = true;
            } else if (read == null && acceptLost) {
                // the mark itself was lost and the operator vouches for the segments; never truncated
                warn(Kind.SEGMENTS_ADOPTED, p, -1, 0, -1, "adopted " + (i + 1) + " segment(s) up to "
                        + p.getFileName() + " without a high-water mark (" + HighWaterMark.FILE + " is missing;"
                        + " accepted by acceptLostCheckpoints): a bad end in them is refused, never cut");
                break;
            } else {
                throw new StoreCorruptedException(p, 0, read == null
                        ? p.getFileName() + " holds data but the store has no high-water mark (" + HighWaterMark.FILE
                        + " was deleted, or an older version wrote this directory), so nothing proves the segment"
                        + " belongs to it; move it away, or open with acceptLostCheckpoints(true) to adopt the segments"
                        : p.getFileName() + " is newer than the newest segment this store started ("
                        + segmentName(store.mark.newestSegment()) + ", per " + HighWaterMark.FILE
                        + "): a stray, renamed or copied file; it was not read, truncated or adopted: move it away");
            }
        }
        if (deleted) {
            // the newest segment is now another one: lock it instead
            locks.lockNewestSegment(segmentIds(), id -> directory.resolve(segmentName(id)), this::segmentIds, name);
        }
        if (store.mark.newestSegment() >= 0 && !ids.contains(store.mark.newestSegment())) {
            Path missing = directory.resolve(segmentName(store.mark.newestSegment()));
            lost(missing, missing.getFileName() + ", the newest segment the store started (per "
                    + HighWaterMark.FILE + "), is missing: every checkpoint written to it is lost (checkpoint "
                    + store.mark.acknowledged() + " was the newest acknowledged when it was started)");
        }
        long[] floorRecord = FloorFile.read(io, directory);
        long floorFile = floorRecord[0];
        floorFirstSegment = floorRecord[1];
        store.compaction.recovered(floorFile, floorFirstSegment);
        Scan scan = new Scan();
        long bytesScanned = 0;
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            bytesScanned += s.file.size();
            scan.segment(s, i == 0, i == segments.size() - 1, s.firstId <= store.mark.newestSegment());
        }
        if (store.mark.acknowledged() >= 0 && scan.lastCommittedId < store.mark.acknowledged()) {
            lost(directory.resolve(HighWaterMark.FILE), "checkpoint " + store.mark.acknowledged()
                    + " was acknowledged (per " + HighWaterMark.FILE
                    + ") but the newest checkpoint in the segments is " + scan.lastCommittedId
                    + ": the end of the store was cut or deleted, and every checkpoint after "
                    + scan.lastCommittedId + " is lost");
        }
        if (floorFile >= 0) {
            // Compaction deleted segments on the strength of this floor; without its checkpoint, older ones
            // cannot be restored and newer ones cannot be trusted to be complete. A crash cannot cause this.
            if (!scan.found.contains(floorFile)) {
                throw new StoreCorruptedException(directory.resolve(FloorFile.FLOOR), 0, "checkpoint " + floorFile
                        + ", the oldest restorable one when segments were last deleted, is missing from the segments");
            }
            if (!segments.isEmpty() && segments.get(0).firstId > floorFirstSegment) {
                throw new StoreCorruptedException(directory.resolve(FloorFile.FLOOR), 0, "segment "
                        + segmentName(floorFirstSegment) + ", which compaction kept, is missing");
            }
            history.advance(floorFile);
        }
        history.advance(history.floorWith(-1, clock.millis()));
        if (scan.tornTail != null) {
            // Loudly: a crash during that checkpoint's commit looks the same as a lost or damaged end of the
            // store, and checkpoints cut away whole after the last one found cannot be seen at all.
            warn(Kind.TORN_TAIL_CUT, scan.tornTail.segment().path, scan.tornTail.at(), scan.tornTail.bytes(),
                    scan.tornTail.checkpointId(), scan.tornTail.report());
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
            store.mark = now;
        }
        List<RecoveryReport.Finding> report = new ArrayList<>(findings.size());
        for (Found f : findings) {
            report.add(new RecoveryReport.Finding(f.kind(), f.file(), f.offset(), f.bytes(), f.checkpointId(),
                    scan.lastCommittedId, f.message()));
        }
        store.recovery = new RecoveryReport(name, scan.lastCommitted, segments.size(), bytesScanned,
                scan.recordsChecked, report);
    }

    /** Refuses to open on a provable loss of acknowledged checkpoints, or logs it if the builder accepts it. */
    private void lost(Path evidence, String what) {
        if (!acceptLost) {
            throw new StoreCorruptedException(directory.resolve(HighWaterMark.FILE), 0, what
                    + "; nothing was changed: restore the missing files, or open with acceptLostCheckpoints(true)"
                    + " to accept the loss");
        }
        acceptedLoss = true;
        warn(Kind.LOST_CHECKPOINTS_ACCEPTED, evidence, -1, 0, store.mark.acknowledged(),
                "acknowledged checkpoints lost (accepted by acceptLostCheckpoints): " + what);
    }

    /** Logs a finding and keeps it for the warnings and the report; see {@link RecoveryReport.Finding}. */
    private void warn(Kind kind, Path file, long offset, long bytes, long checkpointId, String what) {
        findings.add(new Found(kind, file, offset, bytes, checkpointId, what));
        recoveryWarnings.add(what);
        LOG.log(System.Logger.Level.WARNING, name + ": recovery " + what);
    }

    /**
     * A torn tail to cut at {@code at} ({@code bytes} of it, checkpoint {@code checkpointId} or -1) once recovery's
     * checks pass; {@code report} says what goes.
     */
    private record TornTail(Segment segment, long at, long bytes, long checkpointId, String report) {
    }

    /** A finding as warn() met it; the newest checkpoint kept is known only when the scan is done. */
    private record Found(Kind kind, Path file, long offset, long bytes, long checkpointId, String message) {
    }

    /** The scan of all segments at open: validates records and replays committed checkpoints into the history. */
    private final class Scan {
        private final CRC32C crc = new CRC32C();
        private ByteBuffer window = littleEndian(ByteBuffer.allocate(READ_BUFFER));
        private long windowStart;
        private int windowLength;
        private StoreIO.FileHandle windowFile;
        private long lastCommittedId = -1;
        private StoredCheckpoint lastCommitted; // the checkpoint of lastCommittedId
        private long recordsChecked; // records whose length, type and CRC32C were found intact
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
                    recordsChecked++;
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
                                lastCommitted = cp;
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
            tornTail = new TornTail(s, at, size - at, checkpointId, "dropped the torn tail: " + what + "; the newest checkpoint kept is "
                    + (lastCommittedId >= 0 ? lastCommittedId : "none"));
        }
    }
}
