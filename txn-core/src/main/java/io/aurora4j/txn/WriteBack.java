package io.aurora4j.txn;

/**
 * Its one job: a commit's write-back, with its write set locked and validated: each box's pre-image (the first write
 * in a logging epoch) joins the box's history and the epoch's undo list, and the new values are written. Publishing
 * the new versions (the unlock) is the commit's, after its regions and staged items.
 *
 * <p>Static, over the arrays of one {@link Txn}, which is confined to its thread; called only by that thread, holding
 * every lock of the write set.
 */
final class WriteBack {
    private WriteBack() {
    }

    /**
     * Writes back the first {@code n} entries in {@code epoch} (the commit's place in the cut).
     *
     * @return {@code epoch} if it left retention while this commit was in flight and must be released again (its late
     *         pre-images unlinked and uncounted), else null
     */
    static Epoch apply(Txn t, Group g, VBox[] boxes, long[] longs, Object[] refs, int n, Epoch epoch, long releasedUpTo) {
        boolean logging = epoch.logging;
        long epochNumber = epoch.number;
        UndoEntry first = null;
        UndoEntry last = null;
        int preImages = 0;
        // Newest-locked first: in a write set larger than the cache, the boxes locked last are the ones still in it (the
        // lock pass runs in lock order). The order of write-back among locked boxes is not observable.
        for (int i = n - 1; i >= 0; i--) {
            VBox b = boxes[i];
            if (logging && b.stamp != epochNumber) {
                // The pre-image joins the box's history before the new value is written, so a view that finds the new
                // value also finds the value it replaced. The epoch's undo list gets this commit's pre-images in one
                // CAS below, still before the locks are released: a rollback (which waits for in-flight commits)
                // always finds them.
                UndoEntry pre = b.preImage(epochNumber);
                b.pushHistory(pre, releasedUpTo);
                if (last == null) {
                    last = pre;
                } else {
                    pre.nextInEpoch = first;
                }
                first = pre;
                b.stamp = epochNumber;
                preImages++;
            }
            if (b instanceof LongBox lb) {
                lb.spValue(longs[i]);
            } else {
                Object v = refs[i];
                ((RefBox) b).spValue(v);
                if (v == TMap.ABSENT) {
                    t.hooks().notePurgeCandidate((TMap.Cell) b);
                }
            }
        }
        if (first == null) {
            return null;
        }
        epoch.pushAll(first, last);
        g.countPreImages(preImages);
        // The epoch may have left retention, and been released, while this commit was in flight.
        return epochNumber <= g.releasedUpTo() ? epoch : null;
    }
}
