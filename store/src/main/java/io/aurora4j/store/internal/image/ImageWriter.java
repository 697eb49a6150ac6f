package io.aurora4j.store.internal.image;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.StoreFailedException;
import io.aurora4j.store.StoredCheckpoint;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

import static io.aurora4j.store.internal.image.ImageDescriptor.*;

/**
 * Streams a checkpoint as an image (see {@link ImageDescriptor}): each record is framed and written to the
 * stream as it comes, so memory stays bounded by one record whatever the checkpoint's size. The prefix and
 * header are written when the writer is created; {@link #commit()} writes the trailer and flushes;
 * {@link #abort()} writes nothing more, so the receiver sees no trailer and commits nothing. The stream is the
 * caller's: it is never closed here.
 */
public final class ImageWriter implements CheckpointWriter {
    private enum State { OPEN, COMMITTED, ABORTED, FAILED }

    private final OutputStream out;
    private final long id;
    private final long baseId;
    private final String label;
    private final CRC32C recordCrc = new CRC32C();
    private final CRC32C imageCrc = new CRC32C();
    private byte[] buf = new byte[256];
    private int pos;
    private long bytes;
    private long records;
    private State state = State.OPEN;
    private IOException failure;

    /** Writes the prefix and header of checkpoint {@code checkpointId} to {@code out}. */
    public ImageWriter(OutputStream out, long checkpointId, long baseId, String label) {
        this.out = Objects.requireNonNull(out, "out");
        if (checkpointId < 0) {
            throw new IllegalArgumentException("checkpoint id " + checkpointId + " is negative");
        }
        if (baseId < -1 || baseId >= checkpointId) {
            throw new IllegalArgumentException("base id " + baseId + " must be -1 (a full image) or an id below "
                    + checkpointId);
        }
        this.id = checkpointId;
        this.baseId = baseId;
        this.label = label;
        byte[] prefix = Arrays.copyOf(MAGIC, PREFIX_LENGTH);
        prefix[8] = 0;
        prefix[9] = 0;
        prefix[10] = 0;
        prefix[11] = VERSION;
        emit(prefix, prefix.length);
        begin(HEADER);
        putLong(checkpointId);
        putLong(baseId);
        if (label == null) {
            putInt(-1);
        } else {
            putBytes(label.getBytes(StandardCharsets.UTF_8));
        }
        finish();
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public void putObject(String id, byte kind, byte[] value) {
        Objects.requireNonNull(value, "value");
        begin(PUT_OBJECT);
        putId(id);
        putByte(kind);
        putBytes(value);
        finish();
    }

    @Override
    public void removeObject(String id) {
        begin(REMOVE_OBJECT);
        putId(id);
        finish();
    }

    @Override
    public void putEntry(String id, byte[] key, byte[] value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        begin(PUT_ENTRY);
        putId(id);
        putBytes(key);
        putBytes(value);
        finish();
    }

    @Override
    public void removeEntry(String id, byte[] key) {
        Objects.requireNonNull(key, "key");
        begin(REMOVE_ENTRY);
        putId(id);
        putBytes(key);
        finish();
    }

    @Override
    public void putPage(String id, long index, DirectBuffer src, int offset, int length) {
        Objects.requireNonNull(src, "src");
        if (index < 0) {
            throw new IllegalArgumentException("page index " + index + " is negative");
        }
        src.boundsCheck(offset, length);
        begin(PUT_PAGE);
        putId(id);
        putLong(index);
        putInt(length);
        ensure(length);
        src.getBytes(offset, buf, pos, length);
        pos += length;
        finish();
    }

    @Override
    public StoredCheckpoint commit() {
        requireOpen();
        long recordsBefore = records;
        long bytesBefore = bytes;
        int crcBefore = (int) imageCrc.getValue();
        begin(TRAILER);
        putLong(recordsBefore);
        putLong(bytesBefore);
        putInt(crcBefore);
        finish();
        try {
            out.flush();
        } catch (IOException e) {
            throw fail(e);
        }
        state = State.COMMITTED;
        return new StoredCheckpoint(id, baseId, label, System.currentTimeMillis(), bytes);
    }

    @Override
    public void abort() {
        if (state == State.COMMITTED) {
            throw new IllegalStateException("image of checkpoint " + id + " was already committed");
        }
        if (state == State.ABORTED) {
            throw new IllegalStateException("image of checkpoint " + id + " was already aborted");
        }
        state = State.ABORTED;
    }

    @Override
    public void close() {
        if (state == State.OPEN || state == State.FAILED) {
            state = State.ABORTED;
        }
    }

    // ---- framing ----

    private void requireOpen() {
        switch (state) {
            case OPEN -> { }
            case FAILED -> throw new StoreFailedException("writing the image of checkpoint " + id + " failed earlier", failure);
            default -> throw new IllegalStateException("image of checkpoint " + id + " was already "
                    + (state == State.COMMITTED ? "committed" : "aborted"));
        }
    }

    private void begin(byte type) {
        requireOpen();
        pos = RECORD_HEADER_LENGTH;
        buf[TYPE_OFFSET] = type;
    }

    private void finish() {
        int n = pos - RECORD_HEADER_LENGTH;
        setInt(LENGTH_OFFSET, n);
        recordCrc.reset();
        recordCrc.update(buf, LENGTH_OFFSET, 4);
        recordCrc.update(buf, TYPE_OFFSET, 1 + n);
        setInt(CRC_OFFSET, (int) recordCrc.getValue());
        emit(buf, pos);
        records++;
        if (buf.length > (1 << 20)) {
            buf = new byte[256]; // do not keep a big page's buffer for the rest of the image
        }
    }

    private void emit(byte[] b, int n) {
        try {
            out.write(b, 0, n);
        } catch (IOException e) {
            throw fail(e);
        }
        imageCrc.update(b, 0, n);
        bytes += n;
    }

    private StoreFailedException fail(IOException e) {
        state = State.FAILED;
        failure = e;
        return new StoreFailedException("writing the image of checkpoint " + id + " failed after " + bytes + " bytes", e);
    }

    private void ensure(int n) {
        if (buf.length - pos < n) {
            long need = (long) pos + n;
            if (need > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("a record of the image would exceed 2 GiB");
            }
            buf = Arrays.copyOf(buf, (int) Math.max(need, Math.min(Integer.MAX_VALUE - 16, 2L * buf.length)));
        }
    }

    private void setInt(int at, int v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }

    private void putByte(byte v) {
        ensure(1);
        buf[pos++] = v;
    }

    private void putInt(int v) {
        ensure(4);
        setInt(pos, v);
        pos += 4;
    }

    private void putLong(long v) {
        putInt((int) (v >>> 32));
        putInt((int) v);
    }

    private void putBytes(byte[] b) {
        putInt(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    private void putId(String id) {
        putBytes(Objects.requireNonNull(id, "id").getBytes(StandardCharsets.UTF_8));
    }
}
