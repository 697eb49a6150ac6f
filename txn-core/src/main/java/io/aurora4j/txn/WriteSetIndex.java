package io.aurora4j.txn;

import java.util.Arrays;

/**
 * Its one job: building the open-addressing index (box to position) of a transaction's write set once it outgrows
 * the linear scan, so read-after-write stays O(1) in large write sets. A slot holds a position + 1 (0: empty); the
 * table is at least four times the set's size when built, a power of two, probed linearly from {@link VBox#hash}.
 * The probe itself stays in {@code Txn.findWrite}, on the read and write paths.
 *
 * <p>Static methods over the arrays of the write set of a {@link Txn}, which is confined to its thread: called only
 * by the thread that owns the arrays, so nothing here is shared.
 */
final class WriteSetIndex {
    private WriteSetIndex() {
    }

    /**
     * The index of the first {@code n} entries of {@code boxes}: {@code table} cleared and refilled if it has the size
     * wanted, else a new table.
     */
    static int[] rebuild(int[] table, VBox[] boxes, int n) {
        int size = Integer.highestOneBit(Math.max(32, n * 4) - 1) << 1;
        if (table == null || table.length != size) {
            table = new int[size];
        } else {
            Arrays.fill(table, 0);
        }
        for (int i = 0; i < n; i++) {
            insert(table, boxes, i);
        }
        return table;
    }

    /** Adds the entry at position {@code i} of {@code boxes} to {@code table}, which has an empty slot. */
    static void insert(int[] table, VBox[] boxes, int i) {
        int mask = table.length - 1;
        int s = boxes[i].hash & mask;
        while (table[s] != 0) {
            s = (s + 1) & mask;
        }
        table[s] = i + 1;
    }
}
