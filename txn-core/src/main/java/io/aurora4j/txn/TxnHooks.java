package io.aurora4j.txn;

import io.aurora4j.txn.spi.CommitSink;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Its one job: what a transaction attempt leaves to be done around its end — after-commit and after-rollback hooks,
 * items staged for commit sinks (handed over at the commit point), and empty {@link TMap} cells to purge when the
 * attempt ends — with a mark per nesting level, so that a nested scope that throws drops its own.
 *
 * <p>One per {@link Txn}, created on the thread's first hook, staged item or purge candidate and kept: like its
 * {@code Txn}, it is confined to that thread (not thread-safe, never shared). Each list is created on first use and
 * cleared after, so a transaction that uses none of them allocates nothing here, and one that does allocates only
 * the copies of the hook lists it hands out.
 */
final class TxnHooks {
    private static final int MARK_INTS = 3;

    private ArrayList<Runnable> afterCommit;
    private ArrayList<Runnable> afterRollback;
    /** Items staged for commit sinks (SPI), as (sink, item) pairs in staging order. */
    private ArrayList<Object> staged;
    /** Empty map cells this attempt created or emptied: purged, if still empty, when the attempt ends. */
    private ArrayList<TMap.Cell> purgeCandidates;
    /** Per nesting level: the sizes of the after-commit, after-rollback and staged lists when it was entered. */
    private int[] marks;

    /**
     * @param depth the nesting depth of the transaction when this is created: the levels already entered had
     *              nothing here, so their marks are zero
     */
    TxnHooks(int depth) {
        marks = new int[Math.max(4, depth + 1) * MARK_INTS];
    }

    void afterCommit(Runnable hook) {
        if (afterCommit == null) {
            afterCommit = new ArrayList<>(4);
        }
        afterCommit.add(hook);
    }

    void afterRollback(Runnable hook) {
        if (afterRollback == null) {
            afterRollback = new ArrayList<>(4);
        }
        afterRollback.add(hook);
    }

    void stage(CommitSink<?> sink, Object item) {
        if (staged == null) {
            staged = new ArrayList<>(8);
        }
        staged.add(sink);
        staged.add(item);
    }

    void notePurgeCandidate(TMap.Cell cell) {
        if (purgeCandidates == null) {
            purgeCandidates = new ArrayList<>(4);
        }
        purgeCandidates.add(cell);
    }

    /** Whether the attempt staged items for commit sinks. */
    boolean hasStaged() {
        return staged != null && !staged.isEmpty();
    }

    /**
     * Hands staged items to their sinks, grouped per sink in staging order. Called at the commit point, by
     * {@code Txn.commit} inside the commit gate. The cast is safe: {@code TxnSpi.stage} types each item by its sink.
     */
    @SuppressWarnings("unchecked")
    void deliverStaged(Group group, long version, long epoch) {
        ArrayList<Object> s = staged;
        int n = s.size();
        for (int i = 0; i < n; i += 2) {
            Object sink = s.get(i);
            if (sink == null) {
                continue; // already delivered with an earlier item of the same sink
            }
            List<Object> items = new ArrayList<>();
            for (int j = i; j < n; j += 2) {
                if (s.get(j) == sink) {
                    items.add(s.get(j + 1));
                    if (j > i) {
                        s.set(j, null);
                    }
                }
            }
            try {
                ((CommitSink<Object>) sink).committed(group, version, epoch, items);
            } catch (Throwable e) {
                group.reportHookFailure(e);
            }
        }
        s.clear();
    }

    /** Removes and returns the after-commit hooks of the attempt (null when none); drops its after-rollback hooks. */
    List<Runnable> takeAfterCommit() {
        if (afterRollback != null) {
            afterRollback.clear();
        }
        return take(afterCommit);
    }

    /** Removes and returns the after-rollback hooks of the attempt (null when none); drops its after-commit hooks. */
    List<Runnable> takeAfterRollback() {
        if (afterCommit != null) {
            afterCommit.clear();
        }
        return take(afterRollback);
    }

    private static List<Runnable> take(ArrayList<Runnable> hooks) {
        if (hooks == null || hooks.isEmpty()) {
            return null;
        }
        List<Runnable> copy = List.copyOf(hooks);
        hooks.clear();
        return copy;
    }

    /** The attempt ended (committed or not): staged items are forgotten, empty map cells it left are purged. */
    void end() {
        if (staged != null) {
            staged.clear();
        }
        if (purgeCandidates != null && !purgeCandidates.isEmpty()) {
            for (TMap.Cell c : purgeCandidates) {
                c.map.tryPurge(c);
            }
            purgeCandidates.clear();
        }
    }

    /** A nested scope is entered at {@code level} (the depth before it): marks what the enclosing scopes hold. */
    void enterNested(int level) {
        int base = level * MARK_INTS;
        if (base + MARK_INTS > marks.length) {
            marks = Arrays.copyOf(marks, Math.max(marks.length * 2, base + MARK_INTS));
        }
        marks[base] = afterCommit == null ? 0 : afterCommit.size();
        marks[base + 1] = afterRollback == null ? 0 : afterRollback.size();
        marks[base + 2] = staged == null ? 0 : staged.size();
    }

    /**
     * The nested scope entered at {@code level} threw: drops its after-commit hooks and staged items, and removes and
     * returns its after-rollback hooks for the caller to run (null when none).
     */
    List<Runnable> rollbackNested(int level) {
        int base = level * MARK_INTS;
        int keepStaged = marks[base + 2];
        if (staged != null) {
            staged.subList(keepStaged, staged.size()).clear();
        }
        int keepCommitHooks = marks[base];
        if (afterCommit != null) {
            while (afterCommit.size() > keepCommitHooks) {
                afterCommit.remove(afterCommit.size() - 1);
            }
        }
        int keepRollbackHooks = marks[base + 1];
        if (afterRollback == null || afterRollback.size() == keepRollbackHooks) {
            return null;
        }
        List<Runnable> sub = afterRollback.subList(keepRollbackHooks, afterRollback.size());
        List<Runnable> run = List.copyOf(sub);
        sub.clear();
        return run;
    }
}
