package io.aurora4j.store.internal;

import org.agrona.collections.Hashing;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state of one checkpoint as an index: object id to kind and value, (id, key) to entry value, (id, page
 * index) to page, where a value is a {@code V} — bytes in memory, or a location in a segment file, so that
 * a 2 GiB region costs an index entry per page and no page bytes.
 *
 * <p>Changes apply in write order ({@link #apply}). An entry or page of an object not (yet) known creates a
 * <em>phantom</em> object without kind or value: recovery meets those when it replays a log whose oldest
 * segments were compacted away (their records were all dead, see {@link DirectoryStore}); a later
 * {@link Op.PutObject} makes the phantom real, and phantoms are never visible in a state (writers refuse
 * entries and pages of objects that do not exist).
 *
 * <p>A {@link Tracker} hears every value that enters or leaves the index: the directory store counts the
 * live records per segment with it. Not thread-safe; its owner locks.
 */
final class StateIndex<V> {
    /** Hears values entering and leaving an index. */
    interface Tracker<V> {
        /** {@code value} is now referenced by the index. */
        void added(V value);

        /** {@code value} is no longer referenced by the index. */
        void removed(V value);
    }

    /** One object: kind, value, entries and pages. */
    static final class Obj<V> {
        byte kind;
        V value;
        boolean phantom;
        long orderId;
        int orderSeq;
        /** Also in a {@link #snapshot()}: the index that changes it must copy it first (copy on write). */
        boolean shared;
        final HashMap<Key, V> entries = new HashMap<>();
        /**
         * Without Agrona's cached iterators ({@code shouldAvoidAllocation = false}): a snapshot's objects are read by
         * any number of threads at once, and a shared cached iterator corrupts concurrent iterations (found by
         * StoreContractTest's concurrent readers when snapshots began sharing objects).
         */
        final Long2ObjectHashMap<V> pages = new Long2ObjectHashMap<>(8, Hashing.DEFAULT_LOAD_FACTOR, false);

        /** A copy with the same values, not shared. */
        Obj<V> copy() {
            Obj<V> to = new Obj<>();
            to.kind = kind;
            to.value = value;
            to.phantom = phantom;
            to.orderId = orderId;
            to.orderSeq = orderSeq;
            to.entries.putAll(entries);
            pages.forEach(to.pages::put);
            return to;
        }
    }

    private static final Tracker<Object> NONE = new Tracker<>() {
        @Override
        public void added(Object value) {
        }

        @Override
        public void removed(Object value) {
        }
    };

    final LinkedHashMap<String, Obj<V>> objects = new LinkedHashMap<>();
    private final Tracker<V> tracker;

    StateIndex(Tracker<V> tracker) {
        this.tracker = tracker;
    }

    @SuppressWarnings("unchecked")
    static <V> Tracker<V> noTracker() {
        return (Tracker<V>) NONE;
    }

    /** Forgets everything (a full checkpoint starts from nothing). */
    void clear() {
        for (Obj<V> o : objects.values()) {
            untrackAll(o);
        }
        objects.clear();
    }

    void applyAll(Delta<V> delta) {
        if (delta.checkpoint().isFull()) {
            clear();
        }
        for (Op<V> op : delta.ops()) {
            apply(op);
        }
    }

    void apply(Op<V> op) {
        switch (op) {
            case Op.PutObject<V> p -> {
                Obj<V> o = objects.get(p.id());
                if (o != null && !o.phantom && o.kind != p.kind()) {
                    // Writers emit a RemoveObject before a kind change; this only guards against a foreign log.
                    untrackAll(objects.remove(p.id()));
                    o = null;
                }
                if (o == null) {
                    o = new Obj<>();
                    objects.put(p.id(), o);
                } else {
                    o = owned(p.id(), o);
                    if (o.value != null) {
                        tracker.removed(o.value);
                    }
                }
                o.kind = p.kind();
                o.orderId = p.orderId();
                o.orderSeq = p.orderSeq();
                o.value = p.value();
                o.phantom = false;
                tracker.added(p.value());
            }
            case Op.RemoveObject<V> r -> {
                Obj<V> o = objects.remove(r.id());
                if (o != null) {
                    untrackAll(o);
                }
            }
            case Op.PutEntry<V> e -> {
                V old = objectOrPhantom(e.id()).entries.put(e.key(), e.value());
                if (old != null) {
                    tracker.removed(old);
                }
                tracker.added(e.value());
            }
            case Op.RemoveEntry<V> e -> {
                Obj<V> o = objects.get(e.id());
                V old = o == null ? null : owned(e.id(), o).entries.remove(e.key());
                if (old != null) {
                    tracker.removed(old);
                }
            }
            case Op.PutPage<V> p -> {
                V old = objectOrPhantom(p.id()).pages.put(p.index(), p.value());
                if (old != null) {
                    tracker.removed(old);
                }
                tracker.added(p.value());
            }
        }
    }

    /** The object's kind if it exists (phantoms do not), else null. */
    Byte kindOf(String id) {
        Obj<V> o = objects.get(id);
        return o == null || o.phantom ? null : o.kind;
    }

    /** The object's first-write order {checkpoint id, position} if it exists, else null. */
    long[] orderOf(String id) {
        Obj<V> o = objects.get(id);
        return o == null || o.phantom ? null : new long[]{o.orderId, o.orderSeq};
    }

    /** A deep copy (values shared, maps copied) with {@code newTracker}, which hears every value of the copy. */
    StateIndex<V> copy(Tracker<V> newTracker) {
        StateIndex<V> c = new StateIndex<>(newTracker);
        for (Map.Entry<String, Obj<V>> e : objects.entrySet()) {
            Obj<V> to = e.getValue().copy();
            if (to.value != null) {
                newTracker.added(to.value);
            }
            to.entries.values().forEach(newTracker::added);
            to.pages.values().forEach(newTracker::added);
            c.objects.put(e.getKey(), to);
        }
        return c;
    }

    private Obj<V> objectOrPhantom(String id) {
        Obj<V> o = objects.computeIfAbsent(id, k -> {
            Obj<V> phantom = new Obj<>();
            phantom.phantom = true;
            return phantom;
        });
        return owned(id, o);
    }

    /** {@code o}, the object under {@code id}, made this index's own before a change: copied if a snapshot shares it. */
    private Obj<V> owned(String id, Obj<V> o) {
        if (!o.shared) {
            return o;
        }
        Obj<V> c = o.copy(); // the same values: the tracker hears nothing
        objects.put(id, c);
        return c;
    }

    /**
     * A read-only view of this index as it is now, in O(objects): the objects are shared until this index changes
     * one, which copies it first ({@link #owned}). For the newest checkpoint's state (recovery), so that opening a
     * store does not copy a region's page map — a 2 GiB region has 524,288 entries; the first later write to the
     * region pays the copy instead, on the writer's thread. The snapshot must not be changed, and has no tracker.
     */
    StateIndex<V> snapshot() {
        StateIndex<V> s = new StateIndex<>(noTracker());
        for (Map.Entry<String, Obj<V>> e : objects.entrySet()) {
            e.getValue().shared = true;
            s.objects.put(e.getKey(), e.getValue());
        }
        return s;
    }

    private void untrackAll(Obj<V> o) {
        if (o.value != null) {
            tracker.removed(o.value);
        }
        o.entries.values().forEach(tracker::removed);
        o.pages.values().forEach(tracker::removed);
    }
}
