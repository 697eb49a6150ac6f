package io.aurora4j.store.internal;

import io.aurora4j.store.DurableLog;
import io.aurora4j.store.StoreCorruptedException;
import io.aurora4j.store.StoreException;
import io.aurora4j.store.StoreIO;
import org.agrona.collections.LongArrayList;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

import static io.aurora4j.store.internal.RecordDescriptor.*;

/**
 * A {@link DurableLog} in one file, {@code log-NAME.dat} (layout in {@link RecordDescriptor}).
 *
 * <h2>Group commit</h2>
 * An append encodes its record into a pending batch under {@code appendLock} and then takes
 * {@code forceLock}. Whoever holds {@code forceLock} first finds its record already durable (a previous leader
 * wrote and forced it) or becomes the leader: it takes the whole pending batch, writes it with one positional
 * write and forces once. Appenders that arrive while a leader forces are batched into the next force. One
 * write per force also means that at most one write is ever unforced, so a crash leaves a prefix of it:
 * a bad record followed by an intact one is corruption, not a torn tail.
 *
 * <h2>Trim</h2>
 * {@link #trimBefore} forgets records in memory; when more than half of the file's bytes are trimmed, it
 * rewrites the rest into {@code log-NAME.tmp} with a new base number in the header, forces it, renames it
 * over the log atomically and forces the directory. A crash before the rename leaves the old file (the
 * {@code .tmp} is deleted at open); trimmed records that were not rewritten away may reappear after a reopen,
 * which {@link DurableLog#trimBefore} allows. Numbers never go back: the base survives in the header.
 *
 * <p>Thread-safe. Lock order: {@code forceLock} before {@code appendLock}.
 */
final class FileDurableLog implements DurableLog {
    /** Bytes checksummed per read when looking for an intact record after a bad one. */
    private static final int CRC_CHUNK = 64 * 1024;
    private final String name;
    private final Path directory;
    private final Path path;
    private final StoreIO io;
    private final Failure failure;
    private final String storeName;
    private final ReentrantLock appendLock = new ReentrantLock();
    private final ReentrantLock forceLock = new ReentrantLock();

    // guarded by appendLock
    private StoreIO.FileHandle file;
    private final LongArrayList offsets = new LongArrayList(); // file offset of record (fileBase + i)
    private long fileBase;     // number of the first record in the file
    private long trimmed;      // records below it are forgotten
    private long next;
    private long pendingEnd;   // file offset after the last appended record (pending included)
    private List<ByteBuffer> pending = new ArrayList<>();
    private long pendingStart; // file offset of the first pending record
    private boolean closed;

    // guarded by forceLock, read under appendLock after it was written under both
    private volatile long durableEnd;

    private FileDurableLog(String name, Path directory, StoreIO io, Failure failure, String storeName) {
        this.name = name;
        this.directory = directory;
        this.path = directory.resolve("log-" + name + ".dat");
        this.io = io;
        this.failure = failure;
        this.storeName = storeName;
    }

    static FileDurableLog open(Path directory, String name, StoreIO io, Failure failure, String storeName) {
        FileDurableLog log = new FileDurableLog(name, directory, io, failure, storeName);
        try {
            log.recover();
        } catch (IOException e) {
            throw failure.fail("opening log " + name, e);
        }
        return log;
    }

    private void recover() throws IOException {
        Path tmp = directory.resolve("log-" + name + ".tmp");
        if (io.exists(tmp)) {
            io.delete(tmp); // a trim's rewrite that a crash interrupted before its rename
        }
        boolean exists = io.exists(path);
        file = io.open(path, true);
        long size = file.size();
        if (!exists || size < LOG_FILE_HEADER) {
            // Nothing was ever appended: the header is forced before the first append can be.
            writeHeader(file, 0);
            file.force();
            io.forceDirectory(directory);
            fileBase = 0;
            pendingEnd = LOG_FILE_HEADER;
        } else {
            ByteBuffer h = littleEndian(ByteBuffer.allocate(LOG_FILE_HEADER));
            DirectoryStore.readFully(file, h, 0);
            long base = h.getLong(8);
            boolean ok = h.getInt(0) == LOG_MAGIC && h.getInt(4) == crcOfLong(base) && base >= 0;
            if (!ok && size > LOG_FILE_HEADER) {
                throw new StoreCorruptedException(path, 0, "log " + name + " has a bad header");
            }
            if (!ok) {
                writeHeader(file, 0);
                file.force();
                base = 0;
            }
            fileBase = base;
            scan(size);
        }
        trimmed = fileBase;
        next = fileBase + offsets.size();
        durableEnd = pendingEnd;
        pendingStart = pendingEnd;
    }

    private void scan(long size) throws IOException {
        long pos = LOG_FILE_HEADER;
        CRC32C crc = new CRC32C();
        ByteBuffer header = littleEndian(ByteBuffer.allocate(LOG_HEADER_LENGTH));
        while (pos < size) {
            String bad = null;
            int length = 0;
            if (size - pos < LOG_HEADER_LENGTH) {
                bad = "a record header is cut short";
            } else {
                header.clear();
                DirectoryStore.readFully(file, header, pos);
                length = header.getInt(0);
                long number = header.getLong(LOG_NUMBER_OFFSET);
                if (length < 0 || length > MAX_PAYLOAD || length > size - pos - LOG_HEADER_LENGTH) {
                    bad = "impossible length " + length;
                } else {
                    byte[] payload = new byte[length];
                    DirectoryStore.readFully(file, ByteBuffer.wrap(payload), pos + LOG_HEADER_LENGTH);
                    crc.reset();
                    crc.update(header.array(), LOG_NUMBER_OFFSET, 8);
                    crc.update(payload);
                    if ((int) crc.getValue() != header.getInt(4)) {
                        bad = "checksum mismatch";
                    } else if (number != fileBase + offsets.size()) {
                        bad = "record number " + number + " where " + (fileBase + offsets.size()) + " belongs";
                    }
                }
            }
            if (bad != null) {
                long later = intactRecordAfter(pos, size);
                if (later >= 0) {
                    throw new StoreCorruptedException(path, pos, "log " + name + ": " + bad
                            + ", and an intact record follows at offset " + later);
                }
                file.truncate(pos);
                file.force();
                break;
            }
            offsets.addLong(pos);
            pos += LOG_HEADER_LENGTH + length;
        }
        pendingEnd = pos;
    }

    /**
     * The offset of an intact record after {@code from}, or -1. Every later offset is a candidate, so each costs
     * little: a candidate whose number no record there could have is skipped before its checksum (records between
     * {@code from} and {@code p} take 16 bytes at least, so a record at {@code p} is numbered at most
     * {@code (p - from) / 16} above the bad one), and the checksum streams through one buffer instead of an array of
     * the claimed length per candidate (bytes claiming a long record at every offset made recovery of a 256 KiB
     * log allocate 4.3 GB).
     */
    private long intactRecordAfter(long from, long size) throws IOException {
        ByteBuffer header = littleEndian(ByteBuffer.allocate(LOG_HEADER_LENGTH));
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CRC_CHUNK, size));
        CRC32C crc = new CRC32C();
        long badNumber = fileBase + offsets.size();
        for (long p = from + 1; p + LOG_HEADER_LENGTH <= size; p++) {
            header.clear();
            DirectoryStore.readFully(file, header, p);
            int length = header.getInt(0);
            long number = header.getLong(LOG_NUMBER_OFFSET);
            if (length < 0 || length > size - p - LOG_HEADER_LENGTH || length > MAX_PAYLOAD
                    || number < 0 || number > badNumber + (p - from) / LOG_HEADER_LENGTH) {
                continue;
            }
            crc.reset();
            crc.update(header.array(), LOG_NUMBER_OFFSET, 8);
            for (long at = p + LOG_HEADER_LENGTH, end = at + length; at < end; ) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), end - at));
                DirectoryStore.readFully(file, chunk, at);
                crc.update(chunk.array(), 0, chunk.limit());
                at += chunk.limit();
            }
            if ((int) crc.getValue() == header.getInt(4)) {
                return p;
            }
        }
        return -1;
    }

    private static void writeHeader(StoreIO.FileHandle f, long base) throws IOException {
        ByteBuffer h = littleEndian(ByteBuffer.allocate(LOG_FILE_HEADER));
        h.putInt(LOG_MAGIC).putInt(crcOfLong(base)).putLong(base).flip();
        f.write(h, 0);
    }

    private static int crcOfLong(long v) {
        byte[] b = new byte[8];
        littleEndian(ByteBuffer.wrap(b)).putLong(v);
        return RecordDescriptor.crc(b, 0, 8);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long append(byte[] record) {
        Objects.requireNonNull(record, "record");
        if (record.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("log " + name + ": a record is at most " + MAX_PAYLOAD + " bytes");
        }
        if (failure.isFailed()) { // the message only when it is thrown: this runs for every append
            failure.check("append to log " + name);
        }
        long number;
        long end;
        appendLock.lock();
        try {
            checkOpen();
            ByteBuffer r = littleEndian(ByteBuffer.allocate(LOG_HEADER_LENGTH + record.length));
            number = next;
            r.putInt(record.length).putInt(0).putLong(number).put(record);
            r.putInt(4, RecordDescriptor.crc(r.array(), LOG_NUMBER_OFFSET, 8 + record.length));
            r.flip();
            pending.add(r);
            offsets.addLong(pendingEnd);
            pendingEnd += r.remaining();
            end = pendingEnd;
            next++;
        } finally {
            appendLock.unlock();
        }
        forceLock.lock();
        try {
            if (durableEnd < end) {
                writePendingAndForce();
            }
        } finally {
            forceLock.unlock();
        }
        return number;
    }

    /** As leader: writes the pending batch with one write and forces. Holds forceLock. */
    private void writePendingAndForce() {
        if (failure.isFailed()) { // the message only when it is thrown: this runs for every append
            failure.check("append to log " + name);
        }
        ByteBuffer batch;
        long at;
        long end;
        StoreIO.FileHandle f;
        appendLock.lock();
        try {
            checkOpen();
            int total = 0;
            for (ByteBuffer b : pending) {
                total += b.remaining();
            }
            batch = ByteBuffer.allocate(total);
            for (ByteBuffer b : pending) {
                batch.put(b);
            }
            batch.flip();
            pending = new ArrayList<>();
            at = pendingStart;
            end = pendingEnd;
            pendingStart = pendingEnd;
            f = file;
        } finally {
            appendLock.unlock();
        }
        try {
            if (batch.hasRemaining()) {
                f.write(batch, at);
            }
            f.force();
        } catch (IOException e) {
            throw failure.fail("appending to log " + name, e);
        }
        durableEnd = end;
    }

    @Override
    public long nextNumber() {
        appendLock.lock();
        try {
            return next;
        } finally {
            appendLock.unlock();
        }
    }

    @Override
    public void read(long from, RecordVisitor visitor) {
        Objects.requireNonNull(visitor, "visitor");
        long first;
        byte[][] records;
        forceLock.lock(); // a trim's rewrite cannot swap the file while we read
        try {
            appendLock.lock();
            try {
                checkOpen();
                first = Math.max(from, trimmed);
                List<Long> at = new ArrayList<>();
                for (long n = first; n < next; n++) {
                    long off = offsets.getLong((int) (n - fileBase));
                    if (off >= durableEnd) {
                        break; // appended but not yet acknowledged
                    }
                    at.add(off);
                }
                records = new byte[at.size()][];
                for (int i = 0; i < records.length; i++) {
                    records[i] = readRecord(file, at.get(i), first + i);
                }
            } finally {
                appendLock.unlock();
            }
        } finally {
            forceLock.unlock();
        }
        for (int i = 0; i < records.length; i++) {
            visitor.record(first + i, records[i]); // outside the locks: a visitor may append
        }
    }

    private byte[] readRecord(StoreIO.FileHandle f, long offset, long number) {
        try {
            ByteBuffer header = littleEndian(ByteBuffer.allocate(LOG_HEADER_LENGTH));
            DirectoryStore.readFully(f, header, offset);
            int length = header.getInt(0);
            if (length < 0 || length > MAX_PAYLOAD) {
                throw new StoreCorruptedException(path, offset, "log " + name + ": impossible length " + length);
            }
            byte[] payload = new byte[length];
            DirectoryStore.readFully(f, ByteBuffer.wrap(payload), offset + LOG_HEADER_LENGTH);
            CRC32C crc = new CRC32C();
            crc.update(header.array(), LOG_NUMBER_OFFSET, 8);
            crc.update(payload);
            if ((int) crc.getValue() != header.getInt(4) || header.getLong(LOG_NUMBER_OFFSET) != number) {
                throw new StoreCorruptedException(path, offset, "log " + name + ": record " + number
                        + " does not read back intact");
            }
            return payload;
        } catch (IOException e) {
            throw new StoreException(storeName + ": cannot read log " + name + " (" + e + ")", e);
        }
    }

    @Override
    public void trimBefore(long number) {
        forceLock.lock();
        try {
            appendLock.lock();
            try {
                checkOpen();
                if (number > next) {
                    throw new IllegalArgumentException("log " + name + ": cannot trim before " + number
                            + ", the next record is " + next);
                }
                if (number <= trimmed) {
                    return;
                }
                trimmed = number;
                long trimmedBytes = (number == next ? pendingEnd : offsets.getLong((int) (number - fileBase)))
                        - LOG_FILE_HEADER;
                if (trimmedBytes * 2 <= pendingEnd - LOG_FILE_HEADER || failure.isFailed()) {
                    return;
                }
            } finally {
                appendLock.unlock();
            }
            if (durableEnd < pendingEnd) {
                writePendingAndForce();
            }
            appendLock.lock();
            try {
                rewrite();
            } catch (IOException e) {
                throw failure.fail("rewriting log " + name, e);
            } finally {
                appendLock.unlock();
            }
        } finally {
            forceLock.unlock();
        }
    }

    /** Rewrites the untrimmed records into a new file. Holds both locks; nothing is pending. */
    private void rewrite() throws IOException {
        Path tmp = directory.resolve("log-" + name + ".tmp");
        StoreIO.FileHandle t = io.open(tmp, true);
        LongArrayList newOffsets = new LongArrayList();
        long pos = LOG_FILE_HEADER;
        try {
            t.truncate(0);
            writeHeader(t, trimmed);
            for (long n = trimmed; n < next; n++) {
                long off = offsets.getLong((int) (n - fileBase));
                byte[] payload = readRecord(file, off, n);
                ByteBuffer r = littleEndian(ByteBuffer.allocate(LOG_HEADER_LENGTH + payload.length));
                r.putInt(payload.length).putInt(0).putLong(n).put(payload);
                r.putInt(4, RecordDescriptor.crc(r.array(), LOG_NUMBER_OFFSET, 8 + payload.length));
                r.flip();
                t.write(r, pos);
                newOffsets.addLong(pos);
                pos += LOG_HEADER_LENGTH + payload.length;
            }
            t.force();
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
        io.rename(tmp, path);
        io.forceDirectory(directory); // the rename is durable only once the directory is
        StoreIO.FileHandle old = file;
        file = t;
        old.close();
        offsets.clear();
        offsets.addAll(newOffsets);
        fileBase = trimmed;
        pendingEnd = pos;
        pendingStart = pos;
        durableEnd = pos;
    }

    void close() {
        appendLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            file.close();
        } catch (IOException ignored) {
            // everything acknowledged was forced
        } finally {
            appendLock.unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(storeName + " is closed; log " + name + " with it");
        }
    }

    @Override
    public String toString() {
        return "log " + name + " in " + storeName;
    }
}
