package io.aurora4j.store.internal;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.StoreException;
import io.aurora4j.store.StoreFailedException;
import io.aurora4j.store.StoreIO;
import io.aurora4j.store.StoredCheckpoint;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import static io.aurora4j.store.internal.RecordDescriptor.*;

/**
 * One job: the segment writer. It appends one checkpoint (BEGIN, the changes, the copies {@link Cleaning} plans,
 * COMMIT) to the newest segment through the store's write buffer, forces it once at commit and publishes the commit
 * under the store's lock; {@link #startSegment} rolls to a new segment.
 *
 * <h2>Writing</h2>
 * A writer appends BEGIN, the changes and COMMIT to the last segment through a 1 MiB buffer (one positional
 * write per MiB), then forces the file once: a checkpoint costs one fsync. A new segment starts at a BEGIN
 * when the current one has reached the segment size; its creation is made durable (directory force) before
 * anything is written to it. An aborted checkpoint is truncated away and the truncation forced, so a later
 * checkpoint never sits behind the leftovers of an abandoned one.
 *
 *
 * <p>Not thread-safe: one thread writes a checkpoint (see {@link io.aurora4j.store.spi.CheckpointWriter}); it takes the
 * store's lock only to read the segment list and to publish.
 */
final class SegmentWriter extends AbstractCheckpointWriter<Loc> {
    private final DirectoryStore store; // its shared state, read through this one reference as the inner class did
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

    SegmentWriter(DirectoryStore store, long id, long baseId, String label, long now, long floor, Segment segment) {
        super(id, baseId, label, store.history.head());
        this.store = store;
        this.segment = segment;
        this.start = segment.size;
        this.flushed = segment.size;
        this.floor = floor;
        store.writeBuffer.clear();
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
        if (!isFull() && store.cleaning.enabled) {
            clean(); // before the COMMIT: the copies belong to this checkpoint and die with it in a crash
        }
        long commitAt = position();
        long time = store.clock.millis();
        ByteBuffer b = reserve(COMMIT, COMMIT_LENGTH);
        b.putLong(id).putLong(records).putLong(commitAt - start).putLong(time);
        finish(b);
        long end = position();
        try {
            flush();
            segment.file.force(); // the one fsync of a checkpoint: everything above and the COMMIT together
        } catch (IOException e) {
            release();
            throw store.failure.fail("committing checkpoint " + id, e);
        }
        StoredCheckpoint cp = new StoredCheckpoint(id, baseId, label, time, end - start);
        store.lock.lock();
        try {
            segment.size = end;
            segment.lastCheckpointId = id;
            // Link each moved record to its copy before compaction below can delete its segment: a state
            // taken earlier (a lazily restored region's) still reads the old location (see Loc).
            for (int i = 0; i < moves.size(); i += 2) {
                moves.get(i).moved(moves.get(i + 1));
            }
            store.history.commit(new Delta<>(cp, List.copyOf(ops), floor));
            store.cleaning.committed(relocatedBytes, relocatedRecords);
            store.writer = null;
            try {
                store.compaction.compact();
            } catch (StoreFailedException e) {
                // The checkpoint is durable, so the commit stands; the store is failed from now on and the
                // next begin says so.
            }
        } finally {
            store.lock.unlock();
        }
        return cp;
    }

    @Override
    void doAbort() {
        store.lock.lock();
        try {
            if (store.writer != this) {
                return;
            }
            store.writer = null;
            if (flushed > start && !store.closed) {
                try {
                    segment.file.truncate(start);
                    segment.file.force(); // leftovers of an abandoned checkpoint must not outlive a crash
                } catch (IOException e) {
                    store.failure.fail("aborting checkpoint " + id, e);
                }
            }
        } finally {
            store.lock.unlock();
        }
    }

    /**
     * Copies forward, within the budget, the live records of the oldest segments behind the floor when the
     * cleaning trigger fires (the policy is {@link Cleaning}'s). Runs on the writer's thread; the head index
     * it reads changes only when this writer commits.
     */
    private void clean() {
        long budget = store.cleaning.budgetFor(position() - start);
        List<Segment> victims;
        store.lock.lock();
        try {
            victims = store.cleaning.victims(store.segments, segment, floor, store.liveBytes, budget);
        } finally {
            store.lock.unlock();
        }
        if (victims.isEmpty()) {
            return;
        }
        StateIndex<Loc> head = store.history.head();
        Cleaning.Touched touched = new Cleaning.Touched(ops);
        boolean planned = false;
        while (relocatedBytes < budget) {
            if (!store.cleaning.hasPlan()) {
                if (planned) {
                    return; // planned once already: the head still names what was copied, so a new plan would repeat it
                }
                store.cleaning.plan(head, victims);
                planned = true;
            }
            Cleaning.Relocation r = store.cleaning.next();
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
        store.lock.lock();
        try {
            store.cleaning.stall("checkpoint " + id + ": cleaning stopped: " + problem);
        } finally {
            store.lock.unlock();
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
        if (loc.length() > DirectoryStore.READ_BUFFER) {
            DirectoryStore.readFully(s.file, ByteBuffer.wrap(into), loc.offset());
            return;
        }
        if (s != windowSegment || loc.offset() < windowStart
                || loc.offset() + loc.length() > windowStart + windowLength) {
            if (store.cleaningWindow == null) {
                store.cleaningWindow = new byte[DirectoryStore.READ_BUFFER];
            }
            // s.size no longer changes: only the last segment grows, and victims are never the last one
            int n = (int) Math.max(loc.length(), Math.min(DirectoryStore.READ_BUFFER, s.size - loc.offset()));
            windowSegment = null; // a failed read must not leave a half-filled window behind
            DirectoryStore.readFully(s.file, ByteBuffer.wrap(store.cleaningWindow, 0, n), loc.offset());
            windowSegment = s;
            windowStart = loc.offset();
            windowLength = n;
        }
        System.arraycopy(store.cleaningWindow, (int) (loc.offset() - windowStart), into, 0, loc.length());
    }

    /** Appends {@code record}, an intact record read from {@code from}, byte for byte; where the copy is. */
    private Loc appendVerbatim(byte[] record, Loc from) {
        checkMine();
        if (record.length > store.writeBuffer.remaining()) {
            flushOrFail();
        }
        long fileOffset;
        if (record.length > store.writeBuffer.capacity()) {
            fileOffset = flushed;
            try {
                segment.file.write(ByteBuffer.wrap(record), flushed);
            } catch (IOException e) {
                release();
                throw store.failure.fail("writing checkpoint " + id, e);
            }
            flushed += record.length;
        } else {
            fileOffset = flushed + store.writeBuffer.position();
            store.writeBuffer.put(record);
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
        if (total > store.writeBuffer.remaining()) {
            flushOrFail();
        }
        if (total > store.writeBuffer.capacity()) {
            oneOff = littleEndian(ByteBuffer.allocate(total));
            b = oneOff;
        } else {
            oneOff = null;
            b = store.writeBuffer;
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
                throw store.failure.fail("writing checkpoint " + id, e);
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
        return flushed + store.writeBuffer.position();
    }

    private void flushOrFail() {
        try {
            flush();
        } catch (IOException e) {
            release();
            throw store.failure.fail("writing checkpoint " + id, e);
        }
    }

    private void flush() throws IOException {
        if (store.writeBuffer.position() == 0) {
            return;
        }
        store.writeBuffer.flip();
        int n = store.writeBuffer.remaining();
        segment.file.write(store.writeBuffer, flushed);
        flushed += n;
        store.writeBuffer.clear();
    }

    private void checkMine() {
        if (store.closed) {
            throw new IllegalStateException(store.name + " is closed; checkpoint " + id + " was aborted");
        }
        if (store.failure.isFailed()) { // the message only when it is thrown: this runs for every record
            store.failure.check("write checkpoint " + id);
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
        store.lock.lock();
        try {
            if (store.writer == this) {
                store.writer = null;
            }
        } finally {
            store.lock.unlock();
        }
    }

    /**
     * Starts the segment whose first checkpoint is {@code id}, under the lock. Order: the file is created, locked
     * and made durable (directory force) first, then the high-water mark naming it (write, fsync, rename,
     * directory force), and only then is anything written to it: so a segment above the mark is, after any
     * crash, empty, and a non-empty one there is not this store's. Two directory forces and one small fsync per
     * segment ({@code segmentBytes}, 64 MiB by default), none per checkpoint.
     */
    static Segment startSegment(DirectoryStore store, long id) {
        Path directory = store.directory;
        StoreIO io = store.io;
        String name = store.name;
        Failure failure = store.failure;
        DirectoryLocks locks = store.locks;
        List<Segment> segments = store.segments;
        History<Loc> history = store.history;
        Path p = directory.resolve(DirectoryStore.segmentName(id));
        try {
            if (io.exists(p)) {
                // Ids only grow, so this store never made it: adopting it would mix a foreign file into the log.
                throw new StoreException(name + ": cannot start " + p.getFileName() + " for checkpoint " + id
                        + ": a file of that name already exists (a stray file, or another store's); move it away");
            }
        } catch (IOException e) {
            throw failure.fail("starting segment " + DirectoryStore.segmentName(id), e);
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
            store.mark = m;
            return started;
        } catch (IOException e) {
            throw failure.fail("starting segment " + DirectoryStore.segmentName(id), e);
        }
    }
}
