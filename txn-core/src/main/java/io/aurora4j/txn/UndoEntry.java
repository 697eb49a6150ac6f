package io.aurora4j.txn;

/**
 * The pre-image of one box in one epoch: its value when the epoch's first commit wrote it.
 *
 * <p>An entry sits on two lists at once: its epoch's undo list ({@link #nextInEpoch}, pushed with CAS
 * by committers, walked by rollback and release) and its box's history chain ({@link #older} /
 * {@link #newer}, newest first, changed only by the box's lock holder, a rollback, or the releaser).
 */
final class UndoEntry {
    final VBox box;
    final long epoch;
    final long oldLong;
    final Object oldRef;
    /** Next entry of the same epoch's undo list; set before the entry is published by CAS. */
    UndoEntry nextInEpoch;
    /** Older pre-image of the same box; volatile because the releaser cuts it while views walk it. */
    volatile UndoEntry older;
    /** Newer pre-image of the same box; lets the releaser cut this entry off its box's chain. */
    volatile UndoEntry newer;

    UndoEntry(VBox box, long epoch, long oldLong, Object oldRef) {
        this.box = box;
        this.epoch = epoch;
        this.oldLong = oldLong;
        this.oldRef = oldRef;
    }
}
