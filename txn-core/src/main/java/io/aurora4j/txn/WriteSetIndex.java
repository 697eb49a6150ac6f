package io.aurora4j.txn;

import java.util.Arrays;

/**
 * Its one job: building the open-addressing index (box to position) of a transaction's write set once it outgrows
 * the linear scan, so read-after-write stays O(1) in large write sets. A slot holds a position + 1 (0: empty); the
 * table is at least four times the set's size when built, a power of two, probed linearly from {@link VBox#hashOf}
 * of the box's lock order. It reads only the write set's copy of the orders, so rebuilding it touches no box (in a
 * large write set, most are out of the cache).
 * The probe itself stays in {@code Txn.findWrite}, on the read and write paths.
 *
 * <p>Static methods over the arrays of the write set of a {@link Txn}, which is confined to its thread: called only
 * by the thread that owns the arrays, so nothing here is shared.
 */
final class WriteSetIndex {
    private WriteSetIndex() {
    }

    /**
     * The index of the first {@code n} entries of the write set, whose lock orders are {@code orders}: {@code table}
     * cleared and refilled if it has the size wanted, else a new table.
     */
    static int[] rebuild(int[] table, long[] orders, int n) {
        int size = Integer.highestOneBit(Math.max(32, n * 4) - 1) << 1;
        if (table == null || table.length != size) {
            table = new int[size];
        } else {
            Arrays.fill(table, 0);
        }
        for (int i = 0; i < n; i++) {
            insert(table, orders, i);
        }
        return table;
    }

    /** Adds the entry at position {@code i} (lock order {@code orders[i]}) to {@code table}, which has room. */
    static void insert(int[] table, long[] orders, int i) {
        int mask = table.length - 1;
        int s = VBox.hashOf(orders[i]) & mask;
        while (table[s] != 0) {
            s = (s + 1) & mask;
        }
        table[s] = i + 1;
    }
}
