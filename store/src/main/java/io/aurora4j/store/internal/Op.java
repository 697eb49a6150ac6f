package io.aurora4j.store.internal;

/**
 * One change a checkpoint makes, with {@code V} where the bytes are: a {@code byte[]} in the memory store, a
 * {@link Loc} (segment, offset, length) in the directory store. Immutable.
 */
sealed interface Op<V> {
    /** The object the change is to. */
    String id();

    /**
     * Object {@code id} gets {@code kind} and {@code value}; its entries and pages stay. {@code orderId} and
     * {@code orderSeq} say where it was first written (checkpoint id, position in that checkpoint): objects are
     * listed in that order, which survives compaction of the record that created the object.
     */
    record PutObject<V>(String id, byte kind, long orderId, int orderSeq, V value) implements Op<V> {
    }

    /** Object {@code id} is gone with its entries and pages. */
    record RemoveObject<V>(String id) implements Op<V> {
    }

    /** Entry {@code key} of object {@code id} gets {@code value}. */
    record PutEntry<V>(String id, Key key, V value) implements Op<V> {
    }

    /** Entry {@code key} of object {@code id} is gone. */
    record RemoveEntry<V>(String id, Key key) implements Op<V> {
    }

    /** Page {@code index} of object {@code id} gets {@code value}. */
    record PutPage<V>(String id, long index, V value) implements Op<V> {
    }
}
