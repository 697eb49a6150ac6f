package io.aurora4j.store.spi;

import io.aurora4j.store.StoredCheckpoint;
import org.agrona.MutableDirectBuffer;

import java.util.List;

/**
 * The state of a committed checkpoint: objects with their values, each object's entries and pages. Reading
 * it does not change the store. Page contents may be read lazily, on demand, after the rest was restored.
 *
 * <p>Thread-safe. Stays readable until the store is closed or compaction reclaims the checkpoint; a read
 * after that throws {@link IllegalStateException}. A value that the store's newest state still uses stays
 * readable through every state that holds it, even after retention dropped that state's checkpoint and the
 * store moved the value's record (the directory store's cleaning): a lazily restored region relies on it.
 */
public interface StoredState {
    /** The checkpoint this is the state of. */
    StoredCheckpoint checkpoint();

    /** Every object, in the order they were first written. */
    List<StoredObject> objects();

    /** Visits every entry of object {@code id}, in no particular order. */
    void forEachEntry(String id, EntryVisitor visitor);

    /** The indexes of the pages of object {@code id} that were written, ascending. */
    long[] pages(String id);

    /**
     * Copies page {@code index} of object {@code id} into {@code dst} at {@code offset}.
     *
     * @return the page's length
     * @throws java.util.NoSuchElementException if the page was never written
     */
    int readPage(String id, long index, MutableDirectBuffer dst, int offset);

    /** One object of a stored state. @param id its id @param kind its kind, opaque to the store @param value its value bytes */
    record StoredObject(String id, byte kind, byte[] value) {
    }

    /** Receives map entries. */
    @FunctionalInterface
    interface EntryVisitor {
        /** One entry; the arrays are the visitor's to keep. */
        void entry(byte[] key, byte[] value);
    }
}
