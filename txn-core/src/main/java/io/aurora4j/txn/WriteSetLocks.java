package io.aurora4j.txn;

/**
 * Its one job: taking the box locks of a committing transaction's write set, in a way that never deadlocks and that
 * validates the write set's own reads on the way.
 *
 * <p><b>Order.</b> Commits lock boxes in one global order ({@link VBox#order}), so two commits never wait for each
 * other in a cycle. A write set of up to {@link WriteSetOrder#INSERTION_LIMIT} boxes is sorted at once (insertion sort,
 * no allocation). A larger one is locked as it stands and sorted only when a box turns out to be held by another
 * commit: it then gives back every lock it took and locks again in order. So an uncontended batch pays for no sort,
 * and a contended one still waits only in order.
 *
 * <p><b>Reads.</b> A box read just before its first write carries the lock word read ({@code readMetas[i]}, else
 * {@code Txn.NOT_READ}): its lock is a CAS expecting exactly that word, so taking the lock validates the read for good,
 * and a box found changed aborts the attempt at once. Before the commit, the same reads are checked with the read set
 * ({@link #changedRead}, {@link #hasRead}).
 *
 * <p>Static, over the arrays of one {@link Txn}, which is confined to its thread; called only by that thread.
 */
final class WriteSetLocks {
    private WriteSetLocks() {
    }

    /**
     * Locks the first {@code n} boxes of the write set, recording each one's word before locking in
     * {@code lockedMetas}. On any exit by exception no lock is held.
     *
     * @return whether the entries were sorted (moved), so that the write set's index must be rebuilt
     * @throws ConflictSignal if a box read before its write changed, or a box stays held too long
     */
    static boolean lockAll(Txn t, VBox[] boxes, long[] orders, long[] longs, Object[] refs, long[] readMetas,
                           long[] lockedMetas, int n) {
        boolean ordered = n <= WriteSetOrder.INSERTION_LIMIT;
        boolean moved = ordered && n > 1 && WriteSetOrder.sort(boxes, orders, longs, refs, readMetas, n);
        int locked = 0;
        try {
            while (locked < n) {
                VBox b = boxes[locked];
                long read = readMetas[locked];
                if (read != Txn.NOT_READ && b.casMeta(read, read | VBox.LOCKED)) {
                    lockedMetas[locked++] = read; // unchanged since read, and now it cannot change: validated
                    continue;
                }
                if (!ordered && (b.lvMeta() & (VBox.LOCKED | VBox.DEAD)) == VBox.LOCKED) {
                    unlock(boxes, lockedMetas, locked); // held by another commit: wait only in lock order
                    locked = 0;
                    moved |= WriteSetOrder.sort(boxes, orders, longs, refs, readMetas, n);
                    ordered = true;
                    continue;
                }
                for (int spins = 0; ; spins++) {
                    long m = b.lvMeta();
                    if ((m & VBox.LOCKED) == 0) {
                        if (read != Txn.NOT_READ && m != read) {
                            throw t.abort(b); // changed since this attempt read it
                        }
                        if (b.casMeta(m, m | VBox.LOCKED)) {
                            lockedMetas[locked++] = m;
                            break;
                        }
                    } else {
                        t.awaitUnlocked(b, m, spins); // gives up (aborts) after a while, or on a dead box
                    }
                }
            }
            return moved;
        } catch (Throwable e) {
            unlock(boxes, lockedMetas, locked);
            throw e;
        }
    }

    /**
     * Before the commit (a snapshot extension, retry()): the first of the first {@code n} boxes whose lock word is no
     * longer the one read before its write, or null. A box locked by another commit counts as changed.
     */
    static VBox changedRead(VBox[] boxes, long[] readMetas, int n) {
        for (int i = 0; i < n; i++) {
            long m = readMetas[i];
            if (m != Txn.NOT_READ && boxes[i].lvMeta() != m) {
                return boxes[i];
            }
        }
        return null;
    }

    /** Whether any of the first {@code n} write entries carries a read. */
    static boolean hasRead(long[] readMetas, int n) {
        for (int i = 0; i < n; i++) {
            if (readMetas[i] != Txn.NOT_READ) {
                return true;
            }
        }
        return false;
    }

    /** Puts back the words the first {@code count} boxes had before this commit locked them. */
    static void unlock(VBox[] boxes, long[] lockedMetas, int count) {
        for (int i = 0; i < count; i++) {
            boxes[i].soMeta(lockedMetas[i]);
        }
    }
}
