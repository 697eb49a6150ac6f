package io.aurora4j.txn;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * The interval between two checkpoints. Every commit reads the group's current epoch while it holds the
 * locks of its write set; that read is the commit's place in the cut (see {@link Group}). An epoch opened
 * by a retained checkpoint is <em>logging</em>: the first commit that writes a box in it pushes the box's
 * pre-image onto {@link #undo} before publishing the new value. The initial epoch, before any checkpoint,
 * logs nothing, so groups that never checkpoint pay one compare per write and allocate nothing.
 *
 * <p>Epoch numbers grow monotonically for the group's life and are never reused, not even after a
 * rollback, so a box's {@code stamp} from a rolled-back epoch can never match a later epoch.
 */
final class Epoch {
    private static final VarHandle UNDO;

    static {
        try {
            UNDO = MethodHandles.lookup().findVarHandle(Epoch.class, "undo", UndoEntry.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final long number;
    final boolean logging;
    /** The previous epoch on the live chain; cut when this epoch's opener leaves retention. */
    Epoch previous;
    /**
     * The checkpoint whose taking opened this epoch, or null for the group's first epoch; cut with
     * {@link #previous}, or every checkpoint ever taken would stay reachable through the chain
     * opener → closed epoch → its opener → ... (CheckpointRetentionLeakTest).
     */
    Checkpoint opener;
    @SuppressWarnings("unused") // accessed through UNDO
    private volatile UndoEntry undo;
    /** State objects created while this epoch was current; guarded by the group's admin lock. */
    final List<StateObject> created = new ArrayList<>();

    Epoch(long number, boolean logging, Epoch previous, Checkpoint opener) {
        this.number = number;
        this.logging = logging;
        this.previous = previous;
        this.opener = opener;
    }

    /** Pushes the chain {@code first .. last} (linked by {@code nextInEpoch}) with one CAS. */
    void pushAll(UndoEntry first, UndoEntry last) {
        for (;;) {
            UndoEntry head = (UndoEntry) UNDO.getAcquire(this);
            last.nextInEpoch = head;
            if (UNDO.compareAndSet(this, head, first)) {
                return;
            }
        }
    }

    /** Whether nothing was logged or created in this epoch. */
    boolean isEmpty() {
        return UNDO.getAcquire(this) == null && created.isEmpty();
    }

    /**
     * Whether fewer than {@code limit} pre-images were logged and objects created in this epoch (walks at most
     * {@code limit} entries). {@link #created} is read without the admin lock: a stale size only moves the
     * release between the caller and the maintenance executor.
     */
    boolean isSmallerThan(int limit) {
        int n = created.size();
        for (UndoEntry u = (UndoEntry) UNDO.getAcquire(this); u != null && n < limit; u = u.nextInEpoch) {
            n++;
        }
        return n < limit;
    }

    UndoEntry undoList() {
        return (UndoEntry) UNDO.getAcquire(this);
    }

    /** Detaches and returns the whole undo list. */
    UndoEntry takeUndoList() {
        return (UndoEntry) UNDO.getAndSet(this, (UndoEntry) null);
    }
}
