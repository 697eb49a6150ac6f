package io.aurora4j.store.internal.image;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.ImageHeader;
import io.aurora4j.store.ImageLimitException;
import io.aurora4j.store.ImageLimits;
import io.aurora4j.store.StoreCorruptedException;
import io.aurora4j.store.StoreException;
import io.aurora4j.store.StoredCheckpoint;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;
import java.util.zip.CRC32C;

import static io.aurora4j.store.internal.image.ImageDescriptor.*;

/**
 * Reads an image (see {@link ImageDescriptor}) from an untrusted stream and replays it into a target writer.
 *
 * <p>Every declared length is checked against the {@link ImageLimits} and the record that holds it before
 * anything is allocated; every record's CRC is checked before it is parsed; a payload must be consumed exactly.
 * Records are replayed as they arrive (memory stays bounded by one record), so the target sees a prefix of the
 * image before the trailer proves it whole: on any failure the target is aborted, and it is committed only after
 * the trailer's record count, byte count and whole-image CRC have matched. The reader reads exactly the image's
 * bytes and nothing after the trailer; it does not buffer, so a caller reading from a file or socket should
 * pass a {@link java.io.BufferedInputStream}.
 */
public final class ImageReader {
    private final InputStream in;
    private final ImageLimits limits;
    private final CRC32C recordCrc = new CRC32C();
    private final CRC32C imageCrc = new CRC32C();
    /** Growth step of the record buffer beyond doubling: the most it allocates ahead of arrived bytes. */
    private static final int CHUNK = 64 << 10;
    /** A record buffer larger than this is dropped after its record. */
    private static final int MAX_KEPT = 1 << 20;

    private byte[] buf = new byte[256];
    private long offset; // stream offset of the next byte
    private long recordAt; // stream offset of the record being handled
    private long records;
    private long objects;
    // cursor over the current payload
    private int p;
    private int end;

    private ImageReader(InputStream in, ImageLimits limits) {
        this.in = Objects.requireNonNull(in, "in");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * Reads an image from {@code in} and replays it into the writer {@code target} returns for its header.
     *
     * @return what the target's commit returned
     * @throws StoreCorruptedException if the image is malformed, truncated or fails a checksum (file null, offset in the stream)
     * @throws ImageLimitException     if it exceeds a limit
     * @throws StoreException          if reading the stream failed
     */
    public static StoredCheckpoint read(InputStream in, ImageLimits limits,
                                        Function<? super ImageHeader, ? extends CheckpointWriter> target) {
        return new ImageReader(in, limits).run(Objects.requireNonNull(target, "target"));
    }

    private StoredCheckpoint run(Function<? super ImageHeader, ? extends CheckpointWriter> target) {
        readPrefix();
        int type = readRecord();
        if (type != HEADER) {
            throw corrupt("the first record is a " + typeName(type) + ", not the header");
        }
        ImageHeader header = parseHeader();
        CheckpointWriter writer = Objects.requireNonNull(target.apply(header), "target returned a null writer");
        boolean done = false;
        try {
            while (true) {
                type = readRecord();
                if (type == TRAILER) {
                    checkTrailer();
                    break;
                }
                replay(type, writer);
                records++;
            }
            StoredCheckpoint committed = commit(writer, recordAt);
            done = true;
            return committed;
        } finally {
            if (!done) {
                try {
                    writer.abort();
                } catch (RuntimeException ignored) {
                    // the writer may already be failed or closed; the original failure is what the caller needs
                }
            }
        }
    }

    // ---- stream ----

    private void readPrefix() {
        byte[] prefix = new byte[PREFIX_LENGTH];
        int n = readUpTo(prefix, 0, PREFIX_LENGTH);
        if (n < MAGIC.length || !Arrays.equals(prefix, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            if (n < MAGIC.length && Arrays.equals(prefix, 0, n, MAGIC, 0, n)) {
                throw new StoreCorruptedException(null, n, "the image ends after " + n + " bytes, inside its prefix");
            }
            throw new StoreCorruptedException(null, 0, "not an Aurora4j checkpoint image (wrong magic bytes)");
        }
        if (n < PREFIX_LENGTH) {
            throw new StoreCorruptedException(null, n, "the image ends after " + n + " bytes, inside its prefix");
        }
        int version = getInt(prefix, MAGIC.length);
        if (version != VERSION) {
            throw new StoreCorruptedException(null, MAGIC.length, "image format version " + version
                    + " is not supported (this library reads version " + VERSION + ")");
        }
        imageCrc.update(prefix, 0, PREFIX_LENGTH);
        offset = PREFIX_LENGTH;
    }

    /** Reads and checks one record into {@code buf}; returns its type, with the payload cursor set. */
    private int readRecord() {
        recordAt = offset;
        if (offset + RECORD_HEADER_LENGTH > limits.maxTotalBytes()) {
            throw new ImageLimitException(offset, "maxTotalBytes", "an image of more than " + offset + " bytes");
        }
        int n = readUpTo(buf, 0, RECORD_HEADER_LENGTH);
        if (n == 0) {
            throw corrupt("the image ends without a trailer (truncated, or aborted by its sender)");
        }
        if (n < RECORD_HEADER_LENGTH) {
            throw corrupt("the image ends inside a record header (truncated)");
        }
        int length = getInt(buf, LENGTH_OFFSET);
        if (length < 0) {
            throw corrupt("a record declares a negative length " + length);
        }
        if (length > limits.maxRecordBytes()) {
            throw new ImageLimitException(recordAt, "maxRecordBytes", "a record of " + length + " bytes");
        }
        if (recordAt + RECORD_HEADER_LENGTH + length > limits.maxTotalBytes()) {
            throw new ImageLimitException(recordAt, "maxTotalBytes", "an image of at least "
                    + (recordAt + RECORD_HEADER_LENGTH + length) + " bytes");
        }
        int got = readPayload(length);
        if (got < length) {
            throw corrupt("the image ends inside a record of " + length + " bytes (truncated after " + got + ")");
        }
        recordCrc.reset();
        recordCrc.update(buf, LENGTH_OFFSET, 4);
        recordCrc.update(buf, TYPE_OFFSET, 1 + length);
        if ((int) recordCrc.getValue() != getInt(buf, CRC_OFFSET)) {
            throw corrupt("record checksum mismatch");
        }
        int type = buf[TYPE_OFFSET];
        if (type != TRAILER) {
            imageCrc.update(buf, 0, RECORD_HEADER_LENGTH + length);
        }
        offset += RECORD_HEADER_LENGTH + length;
        p = RECORD_HEADER_LENGTH;
        end = RECORD_HEADER_LENGTH + length;
        return type;
    }

    /**
     * Reads the {@code length} payload bytes after the header in {@code buf}, growing it as bytes arrive: by
     * at most doubling, and never past what arrived plus one {@link #CHUNK}, so that a header that declares a
     * large record costs memory only once its bytes are here (a 21-byte image claiming 64 MiB allocated 64 MiB).
     * Returns the bytes read: fewer than {@code length} if the stream ended.
     */
    private int readPayload(int length) {
        int need = RECORD_HEADER_LENGTH + length;
        if (buf.length > MAX_KEPT && need <= MAX_KEPT) {
            buf = Arrays.copyOf(buf, Math.max(256, need)); // keeps the header; drops a big record's buffer
        }
        int got = 0;
        while (got < length) {
            int at = RECORD_HEADER_LENGTH + got;
            if (at == buf.length) {
                long grown = Math.max((long) buf.length * 2, (long) at + CHUNK);
                buf = Arrays.copyOf(buf, (int) Math.min(grown, need));
            }
            int n = readUpTo(buf, at, Math.min(length - got, buf.length - at));
            if (n == 0) {
                break;
            }
            got += n;
        }
        return got;
    }

    private int readUpTo(byte[] b, int off, int len) {
        try {
            return in.readNBytes(b, off, len);
        } catch (IOException e) {
            throw new StoreException("reading the image failed at offset " + offset, e);
        }
    }

    // ---- records ----

    private ImageHeader parseHeader() {
        long id = getLong();
        long baseId = getLong();
        int labelLength = getInt();
        String label = null;
        if (labelLength != -1) {
            label = getString(labelLength, "label");
        }
        endOfPayload();
        if (id < 0) {
            throw corrupt("the checkpoint id " + id + " is negative");
        }
        if (baseId < -1 || baseId >= id) {
            throw corrupt("the base id " + baseId + " is neither -1 (full) nor below the checkpoint id " + id);
        }
        records++;
        return new ImageHeader(VERSION, id, baseId, label);
    }

    private void replay(int type, CheckpointWriter writer) {
        switch (type) {
            case PUT_OBJECT -> {
                String id = getId();
                byte kind = getByte();
                byte[] value = getBytes();
                endOfPayload();
                if (++objects > limits.maxObjects()) {
                    throw new ImageLimitException(recordAt, "maxObjects", "an image of more than " + limits.maxObjects() + " objects");
                }
                apply(() -> writer.putObject(id, kind, value));
            }
            case REMOVE_OBJECT -> {
                String id = getId();
                endOfPayload();
                apply(() -> writer.removeObject(id));
            }
            case PUT_ENTRY -> {
                String id = getId();
                byte[] key = getBytes();
                byte[] value = getBytes();
                endOfPayload();
                apply(() -> writer.putEntry(id, key, value));
            }
            case REMOVE_ENTRY -> {
                String id = getId();
                byte[] key = getBytes();
                endOfPayload();
                apply(() -> writer.removeEntry(id, key));
            }
            case PUT_PAGE -> {
                String id = getId();
                long index = getLong();
                int length = getInt();
                checkLength(length, "page");
                if (index < 0) {
                    throw corrupt("a negative page index " + index);
                }
                int at = p;
                p += length;
                endOfPayload();
                AgronaAccess.requireForPage(id, index); // Agrona 2 without its JVM flag: say which flag, not a bare IllegalAccessError
                apply(() -> writer.putPage(id, index, new UnsafeBuffer(buf, at, length), 0, length));
            }
            case HEADER -> throw corrupt("a second header");
            default -> throw corrupt("a record of " + typeName(type));
        }
    }

    /**
     * Runs a write on the target; a target that rejects the record as invalid makes the image corrupt. A target
     * that checks a limit throws it without an offset: it is located at the record here.
     */
    private void apply(Runnable write) {
        try {
            write.run();
        } catch (IllegalArgumentException e) {
            StoreCorruptedException c = corrupt("the receiver rejected the record: " + e.getMessage());
            c.initCause(e);
            throw c;
        } catch (ImageLimitException e) {
            throw e.offset() < 0 ? e.at(recordAt) : e;
        }
    }

    /** Commits the target; a target that refuses the image as a whole (an IllegalArgumentException) makes it corrupt. */
    private static StoredCheckpoint commit(CheckpointWriter writer, long trailerAt) {
        try {
            return writer.commit();
        } catch (IllegalArgumentException e) {
            StoreCorruptedException c = new StoreCorruptedException(null, trailerAt, "the receiver rejected the image: " + e.getMessage());
            c.initCause(e);
            throw c;
        }
    }

    private void checkTrailer() {
        long count = getLong();
        long bytes = getLong();
        int crc = getInt();
        endOfPayload();
        if (count != records) {
            throw corrupt("the trailer counts " + count + " records; the image holds " + records);
        }
        if (bytes != recordAt) {
            throw corrupt("the trailer counts " + bytes + " bytes; the image holds " + recordAt);
        }
        if (crc != (int) imageCrc.getValue()) {
            throw corrupt("image checksum mismatch");
        }
    }

    // ---- payload cursor ----

    private StoreCorruptedException corrupt(String what) {
        return new StoreCorruptedException(null, recordAt, what);
    }

    private void need(int n, String what) {
        if (end - p < n) {
            throw corrupt("a " + typeName(buf[TYPE_OFFSET]) + " record ends inside its " + what + " (lengths disagree)");
        }
    }

    private void endOfPayload() {
        if (p != end) {
            throw corrupt("a " + typeName(buf[TYPE_OFFSET]) + " record has " + (end - p) + " bytes after its fields");
        }
    }

    private byte getByte() {
        need(1, "fields");
        return buf[p++];
    }

    private int getInt() {
        need(4, "fields");
        int v = getInt(buf, p);
        p += 4;
        return v;
    }

    private long getLong() {
        long hi = getInt();
        return (hi << 32) | (getInt() & 0xFFFFFFFFL);
    }

    private void checkLength(int length, String what) {
        if (length < 0) {
            throw corrupt("a " + what + " of negative length " + length);
        }
        need(length, what);
    }

    private byte[] getBytes() {
        int length = getInt();
        checkLength(length, "byte array");
        byte[] b = Arrays.copyOfRange(buf, p, p + length);
        p += length;
        return b;
    }

    private String getId() {
        return getString(getInt(), "object id");
    }

    private String getString(int length, String what) {
        if (length > limits.maxIdLength()) {
            throw new ImageLimitException(recordAt, "maxIdLength", "the " + what + " of " + length + " bytes");
        }
        checkLength(length, what);
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buf, p, length)).toString();
            p += length;
            return s;
        } catch (CharacterCodingException e) {
            throw corrupt("the " + what + " is not well-formed UTF-8");
        }
    }

    private static int getInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }
}
