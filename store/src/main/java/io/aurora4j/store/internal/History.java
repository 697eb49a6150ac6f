package io.aurora4j.store.internal;

import io.aurora4j.store.StoredCheckpoint;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The restorable checkpoints of a store as two indexes and the deltas between them: {@code base}, the state of
 * the oldest retained checkpoint (the <em>floor</em>); {@code head}, the state of the newest; and the deltas of
 * every retained checkpoint after the floor. A commit applies its delta to {@code head}; when the floor moves,
 * the deltas it passes are applied to {@code base} and dropped. The state of a retained checkpoint {@code c} is
 * {@code base} plus the deltas up to {@code c}: it costs a copy of the base index (one map entry per live
 * object, entry and page — no value bytes in the directory store) and the deltas' changes.
 *
 * <p>Retention keeps a checkpoint while it is one of the newest {@code count} or younger than {@code age}.
 *
 * <p>Not thread-safe; its store locks.
 */
final class History<V> {
    private final StateIndex<V> base;
    private final StateIndex<V> head;
    private final ArrayDeque<Delta<V>> deltas = new ArrayDeque<>();
    private final int retainCount;
    private final Duration retainFor;
    private StoredCheckpoint baseCheckpoint;

    History(StateIndex.Tracker<V> baseTracker, StateIndex.Tracker<V> headTracker, int retainCount, Duration retainFor) {
        this.base = new StateIndex<>(baseTracker);
        this.head = new StateIndex<>(headTracker);
        this.retainCount = retainCount;
        this.retainFor = retainFor;
    }

    StateIndex<V> head() {
        return head;
    }

    /** The newest committed checkpoint, or null. */
    StoredCheckpoint newest() {
        return deltas.isEmpty() ? baseCheckpoint : deltas.peekLast().checkpoint();
    }

    /** The retained checkpoints, oldest first. */
    List<StoredCheckpoint> retained() {
        List<StoredCheckpoint> list = new ArrayList<>(deltas.size() + 1);
        if (baseCheckpoint != null) {
            list.add(baseCheckpoint);
        }
        for (Delta<V> d : deltas) {
            list.add(d.checkpoint());
        }
        return list;
    }

    /** The oldest retained checkpoint's id, or -1. */
    long floor() {
        return baseCheckpoint == null ? -1 : baseCheckpoint.id();
    }

    /**
     * The floor once a checkpoint {@code newId} committed at {@code nowMillis} joins the retained ones (pass
     * {@code newId < 0} for no new checkpoint).
     */
    long floorWith(long newId, long nowMillis) {
        List<StoredCheckpoint> all = retained();
        long floor = newId;
        int kept = newId >= 0 ? 1 : 0;
        for (int i = all.size() - 1; i >= 0; i--) {
            StoredCheckpoint cp = all.get(i);
            boolean young = retainFor != null && nowMillis - cp.committedAtMillis() <= retainFor.toMillis();
            if (kept < retainCount || young) {
                floor = cp.id();
            }
            kept++;
        }
        return floor;
    }

    /** Adds a committed checkpoint and moves the floor to its recorded floor (never backwards). */
    void commit(Delta<V> delta) {
        head.applyAll(delta);
        deltas.addLast(delta);
        advance(delta.floor());
    }

    /** Moves the floor up to {@code floor}: every checkpoint older than it stops being restorable. */
    void advance(long floor) {
        while (!deltas.isEmpty() && deltas.peekFirst().checkpoint().id() <= floor) {
            Delta<V> d = deltas.removeFirst();
            base.applyAll(d);
            baseCheckpoint = d.checkpoint();
        }
    }

    boolean isRetained(long id) {
        if (baseCheckpoint != null && baseCheckpoint.id() == id) {
            return true;
        }
        for (Delta<V> d : deltas) {
            if (d.checkpoint().id() == id) {
                return true;
            }
        }
        return false;
    }

    StoredCheckpoint checkpoint(long id) {
        for (StoredCheckpoint cp : retained()) {
            if (cp.id() == id) {
                return cp;
            }
        }
        throw new NoSuchElementException("no retained checkpoint " + id);
    }

    /**
     * The index of retained checkpoint {@code id}, never changed afterwards: for the newest, a copy-on-write
     * {@link StateIndex#snapshot() snapshot} of the head (O(objects)); for an older one, a copy of the base with
     * the deltas up to it applied. Read-only: it has no tracker.
     */
    StateIndex<V> stateAt(long id) {
        if (!isRetained(id)) {
            throw new NoSuchElementException("no retained checkpoint " + id);
        }
        if (newest().id() == id) {
            return head.snapshot();
        }
        StateIndex.Tracker<V> tracker = StateIndex.noTracker();
        StateIndex<V> s = base.copy(tracker);
        Iterator<Delta<V>> it = deltas.iterator();
        while (it.hasNext()) {
            Delta<V> d = it.next();
            if (d.checkpoint().id() > id) {
                break;
            }
            s.applyAll(d);
        }
        return s;
    }
}
