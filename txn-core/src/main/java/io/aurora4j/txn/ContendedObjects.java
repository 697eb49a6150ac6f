package io.aurora4j.txn;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Its one job: naming the objects a transaction is held up by, for the messages and events that report it — the
 * objects whose conflicts aborted the attempts of the current {@code atomic} call (at most eight, in the order met:
 * {@link TransactionConflictException}, the JFR conflict event), and the objects an attempt waits on in
 * {@code retry()} ({@link RetryWaiters}' messages).
 *
 * <p>One per {@link Txn}, created at its first conflict and kept: like its {@code Txn}, it is confined to that
 * thread (not thread-safe, never shared). Only conflicting and failing paths reach it; a commit that never
 * conflicted does not.
 */
final class ContendedObjects {
    private static final int MAX_NAMED = 8;

    /** Names noted since the call began, or null; handed over whole by {@link #take()}, so never cleared in place. */
    private Set<String> names;

    /** An attempt aborted because {@code culprit} changed or stayed locked: remembers its name (up to eight). */
    void note(VBox culprit) {
        if (names == null) {
            names = new LinkedHashSet<>();
        }
        if (names.size() < MAX_NAMED) {
            names.add(culprit.describe());
        }
    }

    /** The names noted so far, forgotten here (empty if none). */
    Set<String> take() {
        Set<String> c = names;
        names = null;
        return c == null ? Set.of() : c;
    }

    /** The names noted so far, without forgetting them (empty if none). */
    Set<String> peek() {
        return names == null ? Set.of() : names;
    }

    /** The {@code atomic} call ended: its names are dropped. */
    void forget() {
        names = null;
    }

    /** The names of the distinct objects among the first {@code count} of {@code boxes}, at most {@code max}. */
    static List<String> describe(VBox[] boxes, int count, int max) {
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < count && seen.size() < max; i++) {
            seen.add(boxes[i].describe());
        }
        return List.copyOf(seen);
    }
}
