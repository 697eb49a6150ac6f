package io.aurora4j.txn;

import java.util.Arrays;

/**
 * Its one job: putting a transaction's write set in the group's lock order ({@link VBox#order}) before its commit
 * locks it. Concurrent commits then lock the boxes they share in the same order and never deadlock: without it, two
 * transfers in opposite directions would each hold one box and spin for the other until one gives up and re-runs.
 *
 * <p>Static methods over the arrays of the write set of a {@link Txn}, which is confined to its thread: called only
 * by the thread that owns the arrays, so nothing here is shared. Insertion sort for small sets (a compare for two
 * boxes, no allocation), a sort of packed keys beyond (allocates: write sets of more than 16 boxes only).
 */
final class WriteSetOrder {
    /** Write sets up to this size are sorted by insertion, in place and without allocating. */
    static final int INSERTION_LIMIT = 16;

    private WriteSetOrder() {
    }

    /**
     * Sorts the first {@code n} entries of the parallel arrays {@code boxes}, {@code orders} (each box's
     * {@link VBox#order}, so that sorting touches no box), {@code longs}, {@code refs} and {@code readMetas} by order.
     *
     * @return whether the entries may have moved, so that the write set's index (box to position) must be rebuilt
     */
    static boolean sort(VBox[] boxes, long[] orders, long[] longs, Object[] refs, long[] readMetas, int n) {
        if (n <= INSERTION_LIMIT) {
            boolean moved = false;
            for (int i = 1; i < n; i++) {
                long o = orders[i];
                if (orders[i - 1] <= o) {
                    continue;
                }
                moved = true;
                VBox b = boxes[i];
                long l = longs[i];
                Object r = refs[i];
                long m = readMetas[i];
                int j = i - 1;
                for (; j >= 0 && orders[j] > o; j--) {
                    boxes[j + 1] = boxes[j];
                    orders[j + 1] = orders[j];
                    longs[j + 1] = longs[j];
                    refs[j + 1] = refs[j];
                    readMetas[j + 1] = readMetas[j];
                }
                boxes[j + 1] = b;
                orders[j + 1] = o;
                longs[j + 1] = l;
                refs[j + 1] = r;
                readMetas[j + 1] = m;
            }
            return moved;
        }
        boolean sorted = true;
        for (int i = 1; i < n && sorted; i++) {
            sorted = orders[i - 1] <= orders[i];
        }
        if (sorted || n >= 1 << 24) {
            return false; // (a write set this large keeps its order; its rare deadlocks still end in a re-run)
        }
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = (orders[i] << 24) | i; // orders stay below 2^39, write sets below 2^24
        }
        Arrays.sort(keys);
        VBox[] b2 = Arrays.copyOf(boxes, n);
        long[] l2 = Arrays.copyOf(longs, n);
        Object[] r2 = Arrays.copyOf(refs, n);
        long[] m2 = Arrays.copyOf(readMetas, n);
        for (int k = 0; k < n; k++) {
            int from = (int) (keys[k] & 0xFFFFFF);
            boxes[k] = b2[from];
            orders[k] = keys[k] >>> 24;
            longs[k] = l2[from];
            refs[k] = r2[from];
            readMetas[k] = m2[from];
        }
        return true;
    }
}
