package io.aurora4j.store.internal;

/**
 * One job: where a value of the directory store lives (segment, offset, lengths) and where cleaning moved it.
 *
 * <p>Where a value lives: a record of {@code length} bytes at {@code offset} and the value inside it. Equal by
 * position (the five components), like the record it was; {@link #movedTo()} is not part of the value.
 *
 * <p>{@link #movedTo()} is the relocation link that keeps a {@link DirectoryStore#state} readable after {@link Cleaning}:
 * when a committed checkpoint holds a byte-identical copy of this record, the link names the copy. It is set
 * once, under the store's lock, when that checkpoint commits and before compaction can mark this record's
 * segment {@link Segment#deleted deleted} (both volatile: a reader that sees the segment deleted sees the
 * link). A reader holding this location (a snapshot of an older checkpoint, such as the one a lazily restored
 * region reads its pages from) follows the links while the segment it points into is deleted, so a record
 * that cleaning moved is found at its copy however many times it moved. Memory: the field fits the padding
 * of the object (40 bytes with compressed references, as before); a chain lives only as long as a snapshot
 * holds its first location.
 */
final class Loc {
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
