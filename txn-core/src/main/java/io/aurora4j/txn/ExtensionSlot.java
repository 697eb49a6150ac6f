package io.aurora4j.txn;

import io.aurora4j.txn.spi.ExtensionKey;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * One job: a group's extension slot, the one instance per {@link ExtensionKey} that another Aurora4j module
 * keeps for the group, created on first use, exactly once, and kept as long as the group is (it is a field of
 * the group: no global registry, no global lock, nothing weak).
 *
 * <p>"Exactly once" matters because creating an extension has effects (it registers a rollback participant,
 * starts a durability listener): a get-then-put that lets two threads both create would leave one group with
 * two coordinators. Each key gets a {@link Cell} through {@code computeIfAbsent}, whose function only allocates
 * the empty cell, so no foreign code ever runs inside the map's bin lock; the creator then runs under the
 * cell's own lock. An extension may therefore create another one of the same group while it is created (the
 * speculation chain creates the boundaries' holds); asking for the one being created, on the creating thread,
 * fails instead of creating it twice. A creator that throws leaves the slot empty: the next call tries again.
 *
 * <p>Thread-safe. A look-up of an existing extension is a map read and a volatile read, without locking.
 */
final class ExtensionSlot {
    private final ConcurrentHashMap<ExtensionKey<?>, Cell> cells = new ConcurrentHashMap<>(4);

    /** The group's extension for {@code key}, created by {@code create} if the group has none yet. */
    @SuppressWarnings("unchecked") // a cell of key K<T> only ever holds what K's creator returned: a T
    <T> T get(Group group, ExtensionKey<T> key, Function<? super Group, ? extends T> create) {
        Cell cell = cells.get(key);
        if (cell == null) {
            cell = cells.computeIfAbsent(key, k -> new Cell());
        }
        Object value = cell.value;
        if (value == null) {
            value = cell.create(group, key, create);
        }
        return (T) value;
    }

    /** The group's extension for {@code key}, or null if none was created (or its creation is still running). */
    @SuppressWarnings("unchecked") // as in get
    <T> T peek(ExtensionKey<T> key) {
        Cell cell = cells.get(key);
        return cell == null ? null : (T) cell.value;
    }

    /** The holder of one key's extension: empty until its creator returned. */
    private static final class Cell {
        private final ReentrantLock lock = new ReentrantLock();
        /** Written once, under lock, after the creator returned: readers see a complete extension or null. */
        private volatile Object value;

        Object create(Group group, ExtensionKey<?> key, Function<? super Group, ?> create) {
            if (lock.isHeldByCurrentThread()) {
                throw new IllegalStateException("extension " + key.name() + " of group '" + group.name()
                        + "' was asked for while it is being created, on the creating thread");
            }
            lock.lock();
            try {
                Object v = value;
                if (v == null) {
                    v = create.apply(group);
                    if (v == null) {
                        throw new NullPointerException("the creator of extension " + key.name() + " of group '"
                                + group.name() + "' returned null");
                    }
                    value = v;
                }
                return v;
            } finally {
                lock.unlock();
            }
        }
    }
}
