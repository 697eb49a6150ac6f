package io.aurora4j.cli;

import io.aurora4j.store.spi.StoredState;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Computes what changed from one stored state to another, object by object, and reports it to a {@link Changes}
 * in the order an incremental checkpoint needs it: an object before its entries and pages. Shared by {@code sls
 * diff} (which prints the changes) and {@code sls send --base} (which writes them as an incremental image), so the
 * two cannot disagree. Compares bytes: a value, entry or page rewritten with the same bytes is no change.
 *
 * <p>Memory: the entries of one map of the older state at a time (keys and values), and two pages. Stateless
 * between calls; one diff, one thread.
 */
final class StateDiff {
    /** Receives the changes from the older state to the newer. */
    interface Changes {
        /** Object {@code o} is new, or {@code replaced} (its kind changed, or a region lost pages: recreated whole). */
        void objectPut(StoredState.StoredObject o, StoredState.StoredObject before, boolean replaced);

        /** Object {@code before} is gone, with its entries and pages. */
        void objectRemoved(StoredState.StoredObject before);

        /** Entry {@code key} of object {@code id} is new ({@code before} null) or has another value. */
        void entryPut(String id, byte[] key, byte[] before, byte[] after);

        /** Entry {@code key} of object {@code id} is gone. */
        void entryRemoved(String id, byte[] key, byte[] before);

        /** Page {@code index} of object {@code id} is new ({@code changed} false) or has other bytes. */
        void pagePut(String id, long index, DirectBuffer page, int length, boolean changed);
    }

    private StateDiff() {
    }

    /** Reports every change from {@code from} to {@code to}. */
    static void diff(StoredState from, StoredState to, Changes changes) {
        Map<String, StoredState.StoredObject> older = new LinkedHashMap<>();
        for (StoredState.StoredObject o : from.objects()) {
            older.put(o.id(), o);
        }
        ExpandableArrayBuffer a = new ExpandableArrayBuffer(4096);
        ExpandableArrayBuffer b = new ExpandableArrayBuffer(4096);
        for (StoredState.StoredObject o : to.objects()) {
            StoredState.StoredObject before = older.remove(o.id());
            if (before == null || before.kind() != o.kind() || lostPages(from, to, o.id())) {
                // new, or replaced whole: an incremental putObject of another kind drops entries and pages; a
                // region that lost a page cannot say so otherwise (a writer has no "remove page")
                if (before != null && before.kind() == o.kind()) {
                    changes.objectRemoved(before);
                }
                changes.objectPut(o, before, before != null);
                to.forEachEntry(o.id(), (k, v) -> changes.entryPut(o.id(), k, null, v));
                for (long index : to.pages(o.id())) {
                    int n = to.readPage(o.id(), index, b, 0);
                    changes.pagePut(o.id(), index, b, n, false);
                }
                continue;
            }
            if (!Arrays.equals(before.value(), o.value())) {
                changes.objectPut(o, before, false);
            }
            entries(from, to, o.id(), changes);
            pages(from, to, o.id(), a, b, changes);
        }
        for (StoredState.StoredObject gone : older.values()) {
            changes.objectRemoved(gone);
        }
    }

    private static boolean lostPages(StoredState from, StoredState to, String id) {
        long[] had = from.pages(id);
        if (had.length == 0) {
            return false;
        }
        long[] has = to.pages(id);
        for (long index : had) {
            if (Arrays.binarySearch(has, index) < 0) {
                return true;
            }
        }
        return false;
    }

    private static void entries(StoredState from, StoredState to, String id, Changes changes) {
        Map<ByteBuffer, byte[]> older = new HashMap<>();
        from.forEachEntry(id, (k, v) -> older.put(ByteBuffer.wrap(k), v));
        to.forEachEntry(id, (k, v) -> {
            byte[] before = older.remove(ByteBuffer.wrap(k));
            if (before == null || !Arrays.equals(before, v)) {
                changes.entryPut(id, k, before, v);
            }
        });
        older.forEach((k, v) -> changes.entryRemoved(id, k.array(), v));
    }

    private static void pages(StoredState from, StoredState to, String id, ExpandableArrayBuffer a,
                              ExpandableArrayBuffer b, Changes changes) {
        long[] had = from.pages(id);
        for (long index : to.pages(id)) {
            int n = to.readPage(id, index, b, 0);
            if (Arrays.binarySearch(had, index) < 0) {
                changes.pagePut(id, index, b, n, false);
                continue;
            }
            int m = from.readPage(id, index, a, 0);
            if (m != n || !equal(a, b, n)) {
                changes.pagePut(id, index, b, n, true);
            }
        }
    }

    private static boolean equal(DirectBuffer a, DirectBuffer b, int length) {
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            if (a.getLong(i) != b.getLong(i)) {
                return false;
            }
        }
        for (; i < length; i++) {
            if (a.getByte(i) != b.getByte(i)) {
                return false;
            }
        }
        return true;
    }
}
