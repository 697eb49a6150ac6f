package io.aurora4j.txn;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * A transactional hash map, registered in its {@link Group} under a unique id. Keys and values are
 * non-null; values should be immutable (a checkpoint keeps references, not copies).
 *
 * <h2>Design</h2>
 * Each key has its own versioned cell, so transactions that touch different keys never conflict, whichever
 * threads run them. The size is kept in {@value #STRIPES} striped counters; a transaction that adds or
 * removes a key updates the stripe of its thread (distinct for the first {@value #STRIPES} threads that
 * use transactions), so inserts from different threads do not conflict either. {@link #size()},
 * {@link #snapshot()} and {@link #forEach} read every stripe: any concurrent insert or removal changes a
 * stripe and is caught by validation, so iteration is consistent (no phantoms) inside a transaction. A
 * lookup of a missing key inside a transaction creates an empty cell for the key and reads it, so a
 * later insert of that key is a conflict too. A cell left empty (its key removed, or only looked up) is
 * purged as soon as no retained checkpoint needs its history: right after the transaction that emptied it
 * if no checkpoint is retained, else when the checkpoints that need it leave retention, or after a rollback
 * that emptied it. So a map whose keys churn stays the size of its live keys plus what history holds.
 *
 * <p>Inside {@link Group#atomic} every operation is part of the transaction; outside, each is its own
 * transaction ({@link #get} and {@link #containsKey} are a single consistent read).
 *
 * <p>In a durable group keys and values must be of classes the group's {@link io.aurora4j.store.Codecs} can write:
 * {@link #put} and {@link #putIfAbsent} reject another with an {@link IllegalArgumentException} naming the map, as
 * {@link TRef#set} does.
 *
 * <p>Thread-safe; misuse fails at once as for {@link TLong}, and null keys or values throw
 * {@link NullPointerException}.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class TMap<K, V> implements StateObject {
    static final int STRIPES = 16;
    /** Returned by {@link Cell#readUnlessRetired()} for a purged cell. */
    private static final Object RETIRED = new Object();
    /** The value of a cell whose key is absent. */
    static final Object ABSENT = new Object() {
        @Override
        public String toString() {
            return "ABSENT";
        }
    };

    private final Group group;
    private final String id;
    final long createdEpoch;
    private final ConcurrentHashMap<K, Cell> cells = new ConcurrentHashMap<>();
    private final SizeStripe[] stripes = new SizeStripe[STRIPES];
    private volatile boolean discarded;

    TMap(Group group, String id, long version, long createdEpoch) {
        this.group = group;
        this.id = id;
        this.createdEpoch = createdEpoch;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new SizeStripe(this, i, version);
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Group group() {
        return group;
    }

    /** The value for {@code key}, or null when absent. */
    @SuppressWarnings("unchecked")
    public V get(K key) {
        Objects.requireNonNull(key, "key");
        checkAlive();
        Txn t = Txn.current();
        Object v;
        if (t.active) {
            v = t.readRef(cellFor(key));
        } else {
            group.checkOpen();
            t.checkGuard(group);
            v = readCommitted(key);
        }
        return v == ABSENT ? null : (V) v;
    }

    /** The value for {@code key}, or {@code fallback} when absent. */
    public V getOrDefault(K key, V fallback) {
        V v = get(key);
        return v == null ? fallback : v;
    }

    /** Whether {@code key} is present. */
    public boolean containsKey(K key) {
        return get(key) != null;
    }

    /** Maps {@code key} to {@code value}; returns the previous value or null. */
    @SuppressWarnings("unchecked")
    public V put(K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        checkAlive();
        checkStorable(key, value);
        Txn t = Txn.current();
        if (t.active) {
            return (V) putIn(t, key, value, false);
        }
        return group.atomic(() -> (V) putIn(Txn.current(), key, value, false));
    }

    /** Maps {@code key} to {@code value} unless present; returns the present value, or null if it put. */
    @SuppressWarnings("unchecked")
    public V putIfAbsent(K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        checkAlive();
        checkStorable(key, value);
        Txn t = Txn.current();
        if (t.active) {
            return (V) putIn(t, key, value, true);
        }
        return group.atomic(() -> (V) putIn(Txn.current(), key, value, true));
    }

    /** Removes {@code key}; returns the removed value or null. */
    @SuppressWarnings("unchecked")
    public V remove(K key) {
        Objects.requireNonNull(key, "key");
        checkAlive();
        Txn t = Txn.current();
        if (t.active) {
            return (V) removeIn(t, key);
        }
        return group.atomic(() -> (V) removeIn(Txn.current(), key));
    }

    /** The number of keys; inside a transaction, consistent with every other read of it. */
    public int size() {
        checkAlive();
        Txn t = Txn.current();
        if (t.active) {
            return sizeIn(t);
        }
        return group.atomic(() -> sizeIn(Txn.current()));
    }

    /** Whether the map is empty. */
    public boolean isEmpty() {
        return size() == 0;
    }

    /**
     * An immutable copy of the contents, consistent (one snapshot) inside or outside a transaction.
     */
    public Map<K, V> snapshot() {
        checkAlive();
        Txn t = Txn.current();
        if (t.active) {
            return snapshotIn(t);
        }
        return group.atomic(() -> snapshotIn(Txn.current()));
    }

    /**
     * Calls {@code action} for every entry. Inside a transaction the entries are read as part of it (and
     * {@code action} may write state objects); outside, it iterates a {@link #snapshot()}.
     */
    @SuppressWarnings("unchecked")
    public void forEach(BiConsumer<? super K, ? super V> action) {
        Objects.requireNonNull(action, "action");
        checkAlive();
        Txn t = Txn.current();
        if (!t.active) {
            snapshot().forEach(action);
            return;
        }
        readAllStripes(t);
        for (Cell c : cells.values()) {
            Object v = t.readRef(c);
            if (v != ABSENT) {
                action.accept((K) c.key, (V) v);
            }
        }
        readAllStripes(t); // see snapshotIn
    }

    /** In a durable group, rejects a key or value whose class the codecs cannot write (see {@link Storable}). */
    private void checkStorable(K key, V value) {
        Storable s = group.storable;
        if (s != null) {
            s.check(this, "key", key);
            s.check(this, "value", value);
        }
    }

    // ------------------------------------------------------------------ in-transaction bodies

    private Object putIn(Txn t, K key, V value, boolean onlyIfAbsent) {
        Cell c = cellFor(key);
        Object old = t.readRef(c);
        if (old == ABSENT) {
            t.writeRef(c, value);
            adjustSize(t, 1);
            return null;
        }
        if (!onlyIfAbsent) {
            t.writeRef(c, value);
        }
        return old;
    }

    private Object removeIn(Txn t, K key) {
        Cell c = cellFor(key);
        Object old = t.readRef(c);
        if (old == ABSENT) {
            return null;
        }
        t.writeRef(c, ABSENT);
        adjustSize(t, -1);
        return old;
    }

    private int sizeIn(Txn t) {
        long n = 0;
        for (SizeStripe s : stripes) {
            n += t.readLong(s);
        }
        return (int) n;
    }

    @SuppressWarnings("unchecked")
    private Map<K, V> snapshotIn(Txn t) {
        readAllStripes(t);
        Map<K, V> copy = new HashMap<>();
        for (Cell c : cells.values()) {
            Object v = t.readRef(c);
            if (v != ABSENT) {
                copy.put((K) c.key, (V) v);
            }
        }
        // A key removed (and its cell purged) after our snapshot, before the walk reached it, was never
        // read; its removal changed a size stripe, so reading the stripes again detects it and re-runs.
        readAllStripes(t);
        return Map.copyOf(copy);
    }

    private void readAllStripes(Txn t) {
        for (SizeStripe s : stripes) {
            t.readLong(s);
        }
    }

    private void adjustSize(Txn t, long delta) {
        SizeStripe s = stripes[t.stripe & (STRIPES - 1)];
        t.writeLong(s, t.readLong(s) + delta);
    }

    /** Inside a transaction: the key's cell, created empty if missing so that a later insert conflicts with this read. */
    private Cell cellFor(K key) {
        Cell c = cells.get(key);
        if (c == null) {
            Cell fresh = new Cell(this, key);
            c = cells.putIfAbsent(key, fresh);
            if (c == null) {
                c = fresh;
                Txn.current().hooks().notePurgeCandidate(fresh); // purged when the transaction ends if it stays empty
            }
        }
        return c;
    }

    /** Outside a transaction: one consistent read of the key's committed value (ABSENT when missing). */
    private Object readCommitted(K key) {
        for (;;) {
            Cell c = cells.get(key);
            if (c == null) {
                return ABSENT;
            }
            Object v = c.readUnlessRetired();
            if (v != RETIRED) {
                return v;
            }
        }
    }

    /**
     * Removes an empty cell from the map when no retained checkpoint needs its history, so a map whose keys
     * churn does not grow. Runs like a tiny commit (inside the commit gate, holding the cell's lock), and
     * marks the cell retired with a fresh version: a transaction that read or wants to write it fails
     * validation or its lock attempt and re-runs, looking the key up again. Never waits: if the cell is
     * busy, or a rollback is in progress, it is left for a later purge.
     */
    void tryPurge(Cell c) {
        if (discarded || c.loValue() != ABSENT || c.lvHistory() != null) {
            return;
        }
        int slot = group.gate.tryEnter(Txn.current().stripe); // the thread's own counter: only its owner writes one
        if (slot < 0) {
            return;
        }
        try {
            long m = c.lvMeta();
            if ((m & VBox.LOCKED) != 0 || !c.casMeta(m, m | VBox.LOCKED)) {
                return;
            }
            if (c.loValue() != ABSENT || c.lvHistory() != null) {
                c.soMeta(m);
                return;
            }
            cells.remove(c.key, c); // before the cell reads as retired: whoever sees it retired finds it gone
            c.soMeta(group.tick() << 2 | VBox.DEAD | VBox.LOCKED);
        } finally {
            group.gate.exit(slot);
        }
        group.retryWaiters.wakeIfAny(); // a waiter that read this cell would never see the key's next cell change
    }

    /** Cells currently held, live or empty (for tests and monitoring). */
    int cellCount() {
        return cells.size();
    }

    boolean isDiscarded() {
        return discarded;
    }

    private void checkAlive() {
        if (discarded) {
            throw new IllegalStateException("TMap '" + id + "' of group '" + group.name()
                    + "' was created after the checkpoint a rollback returned to, and was discarded with it");
        }
    }

    // ------------------------------------------------------------------ views

    Object valueAt(Checkpoint cp, Object key) {
        Cell c = cells.get(key);
        if (c == null) {
            cp.checkRetained(); // no cell may mean a rollback purged it after discarding cp: never answer for cp then
            return ABSENT;
        }
        return CheckpointView.refAt(c, cp);
    }

    int sizeAt(Checkpoint cp) {
        long n = 0;
        for (SizeStripe s : stripes) {
            n += CheckpointView.longAt(s, cp);
        }
        return (int) n;
    }

    @SuppressWarnings("unchecked")
    Map<K, V> snapshotAt(Checkpoint cp) {
        Map<K, V> copy = new HashMap<>();
        for (Cell c : cells.values()) {
            Object v = CheckpointView.refAt(c, cp);
            if (v != ABSENT) {
                copy.put((K) c.key, (V) v);
            }
        }
        return Map.copyOf(copy);
    }

    // ------------------------------------------------------------------ StateObject

    /** See {@link StateObjects#discard}. */
    void discard(long version) {
        discarded = true;
        for (SizeStripe s : stripes) {
            s.soMeta(version << 2 | VBox.DEAD | VBox.LOCKED);
        }
        for (Cell c : cells.values()) {
            c.soMeta(version << 2 | VBox.DEAD | VBox.LOCKED);
        }
    }

    @Override
    public String toString() {
        return "TMap '" + id + "' of group '" + group.name() + "'";
    }

    /** One key's cell. */
    static final class Cell extends RefBox {
        final TMap<?, ?> map;
        final Object key;

        Cell(TMap<?, ?> map, Object key) {
            // The current clock, not 0: a transaction that read a purged predecessor of this cell, and
            // now finds this one, sees a version newer than its snapshot, revalidates, finds the purged
            // cell retired and re-runs. With 0 it would read "absent" beside its earlier read (opacity).
            super(map.group, ABSENT, map.group.clockNow());
            this.map = map;
            this.key = key;
        }

        @Override
        String describe() {
            return "TMap '" + map.id + "' key '" + key + "'";
        }

        @Override
        boolean isRetired() {
            return !map.isDiscarded();
        }

        /** A seqlock read of the committed value, or {@link #RETIRED} if the cell was purged. */
        Object readUnlessRetired() {
            for (int spins = 0; ; spins++) {
                long m1 = lvMeta();
                if ((m1 & LOCKED) == 0) {
                    Object v = loValue();
                    if (lpMetaAfterFence() == m1) {
                        return v;
                    }
                } else if ((m1 & DEAD) != 0) {
                    if (isRetired()) {
                        return RETIRED;
                    }
                    throw discardedError();
                } else {
                    Backoff.spin(spins);
                }
            }
        }
    }

    /** One of the size counters. */
    static final class SizeStripe extends LongBox {
        final TMap<?, ?> map;
        final int index;

        SizeStripe(TMap<?, ?> map, int index, long version) {
            super(map.group, 0L, version);
            this.map = map;
            this.index = index;
        }

        @Override
        String describe() {
            return "TMap '" + map.id + "' size";
        }
    }
}
