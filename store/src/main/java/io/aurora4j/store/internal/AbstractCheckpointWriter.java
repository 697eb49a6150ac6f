package io.aurora4j.store.internal;

import io.aurora4j.store.spi.CheckpointWriter;
import io.aurora4j.store.StoredCheckpoint;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;

/**
 * The checks and bookkeeping every store's writer shares: argument checks, the kinds objects have as this
 * checkpoint goes (so that a kind change becomes an explicit removal followed by a put, which keeps replay of
 * a compacted log exact), refusal of entries and pages of objects that do not exist, and the list of
 * changes the store commits. Subclasses place the bytes ({@code V}).
 *
 * <p>Not thread-safe: one thread writes a checkpoint (see {@link CheckpointWriter}).
 */
abstract class AbstractCheckpointWriter<V> implements CheckpointWriter {
    /** Longest object id in UTF-8 bytes (the record format stores it with an unsigned 16-bit length). */
    static final int MAX_ID_BYTES = 0xFFFF;
    private static final int REMOVED = Integer.MIN_VALUE;

    final long id;
    final long baseId;
    final String label;
    private final StateIndex<V> head;
    private final HashMap<String, Integer> kinds = new HashMap<>();
    private final HashMap<String, long[]> orders = new HashMap<>();
    private int seq;
    final List<Op<V>> ops = new ArrayList<>();
    private boolean done;

    AbstractCheckpointWriter(long id, long baseId, String label, StateIndex<V> head) {
        this.id = id;
        this.baseId = baseId;
        this.label = label;
        this.head = head;
    }

    @Override
    public final long id() {
        return id;
    }

    @Override
    public final void putObject(String objectId, byte kind, byte[] value) {
        checkOpen();
        checkId(objectId);
        Objects.requireNonNull(value, "value");
        Byte current = kindNow(objectId);
        long[] order;
        if (current != null && current != kind) {
            ops.add(new Op.RemoveObject<>(objectId));
            writeRemoveObject(objectId);
            current = null;
        }
        if (current == null) {
            order = new long[]{id, seq++}; // a new object: first written here
        } else {
            order = orders.get(objectId);
            if (order == null) {
                order = head.orderOf(objectId);
            }
        }
        orders.put(objectId, order);
        ops.add(new Op.PutObject<>(objectId, kind, order[0], (int) order[1],
                writeObject(objectId, kind, order[0], (int) order[1], value)));
        kinds.put(objectId, (int) kind);
    }

    @Override
    public final void removeObject(String objectId) {
        checkOpen();
        checkId(objectId);
        if (kindNow(objectId) == null) {
            return;
        }
        ops.add(new Op.RemoveObject<>(objectId));
        writeRemoveObject(objectId);
        kinds.put(objectId, REMOVED);
    }

    @Override
    public final void putEntry(String objectId, byte[] key, byte[] value) {
        checkOpen();
        requireExists(objectId);
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Key k = new Key(key.clone());
        ops.add(new Op.PutEntry<>(objectId, k, writeEntry(objectId, k.bytes(), value)));
    }

    @Override
    public final void removeEntry(String objectId, byte[] key) {
        checkOpen();
        checkId(objectId);
        Objects.requireNonNull(key, "key");
        if (kindNow(objectId) == null) {
            return;
        }
        Key k = new Key(key.clone());
        ops.add(new Op.RemoveEntry<>(objectId, k));
        writeRemoveEntry(objectId, k.bytes());
    }

    @Override
    public final void putPage(String objectId, long index, DirectBuffer src, int offset, int length) {
        checkOpen();
        requireExists(objectId);
        Objects.requireNonNull(src, "src");
        if (index < 0) {
            throw new IllegalArgumentException("page index must not be negative, was " + index);
        }
        if (offset < 0 || length < 0 || (long) offset + length > src.capacity()) {
            throw new IndexOutOfBoundsException("page bytes [" + offset + ", " + ((long) offset + length)
                    + ") are outside a buffer of " + src.capacity());
        }
        ops.add(new Op.PutPage<>(objectId, index, writePage(objectId, index, src, offset, length)));
    }

    @Override
    public final StoredCheckpoint commit() {
        checkOpen();
        done = true;
        return doCommit();
    }

    @Override
    public final void abort() {
        checkOpen();
        done = true;
        doAbort();
    }

    @Override
    public final void close() {
        if (!done) {
            abort();
        }
    }

    /** Marks the writer finished without committing (after a store failure). */
    final void markDone() {
        done = true;
    }

    final boolean isFull() {
        return baseId < 0;
    }

    abstract V writeObject(String objectId, byte kind, long orderId, int orderSeq, byte[] value);

    abstract void writeRemoveObject(String objectId);

    abstract V writeEntry(String objectId, byte[] key, byte[] value);

    abstract void writeRemoveEntry(String objectId, byte[] key);

    abstract V writePage(String objectId, long index, DirectBuffer src, int offset, int length);

    abstract StoredCheckpoint doCommit();

    abstract void doAbort();

    private Byte kindNow(String objectId) {
        Integer k = kinds.get(objectId);
        if (k != null) {
            return k == REMOVED ? null : (byte) (int) k;
        }
        return isFull() ? null : head.kindOf(objectId);
    }

    private void requireExists(String objectId) {
        checkId(objectId);
        if (kindNow(objectId) == null) {
            throw new IllegalArgumentException("checkpoint " + id + ": object " + objectId
                    + " does not exist here; put the object before its entries and pages");
        }
    }

    private void checkOpen() {
        if (done) {
            throw new IllegalStateException("checkpoint " + id + " was already committed or aborted");
        }
    }

    private static void checkId(String objectId) {
        Objects.requireNonNull(objectId, "object id");
        if (objectId.length() > MAX_ID_BYTES / 3 && objectId.getBytes(StandardCharsets.UTF_8).length > MAX_ID_BYTES) {
            throw new IllegalArgumentException("object id is longer than " + MAX_ID_BYTES + " UTF-8 bytes");
        }
    }
}
