package io.aurora4j.store.spi;

import io.aurora4j.store.StoreFailedException;
import io.aurora4j.store.StoredCheckpoint;
import org.agrona.DirectBuffer;

/**
 * Writes one checkpoint. Records are buffered and written as they come; nothing is part of the store until
 * {@link #commit()} has written the commit record and forced it. Within one checkpoint, a later record for
 * the same object, entry or page replaces an earlier one.
 *
 * <p>In an incremental checkpoint, {@link #putObject} with the kind the object already has replaces its value
 * and keeps its entries and pages; with another kind it replaces the whole object. {@link #removeObject}
 * removes an object with its entries and pages. In a full checkpoint, objects not written are gone.
 *
 * <p>Not thread-safe: one thread writes a checkpoint. After {@link #commit()} or {@link #abort()} every
 * call throws {@link IllegalStateException}.
 */
public interface CheckpointWriter extends AutoCloseable {
    /** The id of the checkpoint being written. */
    long id();

    /** Writes object {@code id} of {@code kind} with {@code value}. */
    void putObject(String id, byte kind, byte[] value);

    /** Removes object {@code id} with its entries and pages. */
    void removeObject(String id);

    /** Sets entry {@code key} of object {@code id} to {@code value}. */
    void putEntry(String id, byte[] key, byte[] value);

    /** Removes entry {@code key} of object {@code id}. */
    void removeEntry(String id, byte[] key);

    /** Sets page {@code index} of object {@code id} to {@code length} bytes of {@code src} from {@code offset}. */
    void putPage(String id, long index, DirectBuffer src, int offset, int length);

    /**
     * Writes the commit record and forces everything to stable storage; the checkpoint is durable when this
     * returns.
     *
     * @throws StoreFailedException if a write or force failed: the store is failed from then on
     */
    StoredCheckpoint commit();

    /** Abandons the checkpoint: recovery ignores whatever of it was written. */
    void abort();

    /** Aborts unless committed. */
    @Override
    void close();
}
