package io.aurora4j.txn;

import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A transactional reference to an immutable value ({@code null} allowed), registered in its
 * {@link Group} under a unique id. The value must not be mutated after it is stored: a checkpoint keeps
 * the reference, not a copy.
 *
 * <p>Inside {@link Group#atomic} of its group, reads and writes are part of the running transaction.
 * Outside any scope, {@link #get()} is one consistent read and every other operation is its own small
 * transaction. {@link #compareAndSet} compares with {@link Objects#equals}.
 *
 * <p>In a durable group every value written ({@link Group#newRef}'s initial value too) must be of a class the group's
 * {@link io.aurora4j.store.Codecs} can write: another is rejected at the call with an {@link IllegalArgumentException}
 * naming the object and what to register, unless the object's persistence is {@link Persistence#EPHEMERAL}. What is
 * inside a list, set, map or record is found only when a checkpoint is written: see {@link UnwritableValueException}.
 *
 * <p>Thread-safe; misuse fails at once exactly as for {@link TLong}.
 *
 * @param <T> the value type
 */
public final class TRef<T> extends RefBox implements StateObject {
    private final String id;
    final long createdEpoch;

    TRef(Group group, String id, T initial, long version, long createdEpoch) {
        super(group, initial, version);
        this.id = id;
        this.createdEpoch = createdEpoch;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Group group() {
        return group;
    }

    /** The current value: the transaction's view inside a scope, else the latest committed value. */
    @SuppressWarnings("unchecked")
    public T get() {
        Txn t = Txn.current();
        if (t.active) {
            return (T) t.readRef(this);
        }
        group.checkOpen();
        t.checkGuard(group);
        return (T) readCommitted();
    }

    /** Sets the value. */
    public void set(T value) {
        checkStorable(value);
        Txn t = Txn.current();
        if (t.active) {
            t.writeRef(this, value);
            return;
        }
        TransactionRunner.runRef(group, this, value, null, SET, false);
    }

    /** Sets the value and returns the previous one. */
    @SuppressWarnings("unchecked")
    public T getAndSet(T value) {
        checkStorable(value);
        Txn t = Txn.current();
        if (t.active) {
            return (T) GET_AND_SET.apply(t, this, value, null);
        }
        return (T) TransactionRunner.runRef(group, this, value, null, GET_AND_SET, false);
    }

    /** Sets the value to {@code update} if it {@linkplain Objects#equals equals} {@code expected}; says whether it did. */
    public boolean compareAndSet(T expected, T update) {
        checkStorable(update);
        Txn t = Txn.current();
        if (t.active) {
            return CAS.apply(t, this, expected, update) == Boolean.TRUE;
        }
        return TransactionRunner.runRef(group, this, expected, update, CAS, false) == Boolean.TRUE;
    }

    /**
     * Applies {@code fn} to the value and stores the result, atomically; returns the new value. Outside a
     * scope the function may run more than once (once per attempt), so it must be free of side effects.
     */
    @SuppressWarnings("unchecked")
    public T updateAndGet(UnaryOperator<T> fn) {
        Objects.requireNonNull(fn, "fn");
        Txn t = Txn.current();
        if (t.active) {
            return (T) UPDATE.apply(t, this, fn, null);
        }
        return (T) TransactionRunner.runRef(group, this, fn, null, UPDATE, false);
    }

    /**
     * In a durable group, rejects a value whose class the codecs cannot write (see {@link Storable}): one field load
     * and, in a durable group, one class-value look-up.
     */
    private void checkStorable(Object value) {
        Storable s = group.storable;
        if (s != null) {
            s.check(this, "value", value);
        }
    }

    @Override
    String describe() {
        return "TRef '" + id + "'";
    }

    /** See {@link StateObjects#discard}. */
    void discard(long version) {
        soMeta(version << 2 | DEAD | LOCKED);
    }

    @Override
    public String toString() {
        return "TRef '" + id + "' of group '" + group.name() + "'";
    }

    private static final TransactionRunner.RefOp SET = (t, b, v, unused) -> {
        t.writeRef(b, v);
        return v;
    };
    private static final TransactionRunner.RefOp GET_AND_SET = (t, b, v, unused) -> {
        Object old = t.readRef(b);
        t.writeRef(b, v);
        return old;
    };
    private static final TransactionRunner.RefOp CAS = (t, b, expected, update) -> {
        if (!Objects.equals(t.readRef(b), expected)) {
            return Boolean.FALSE;
        }
        t.writeRef(b, update);
        return Boolean.TRUE;
    };
    @SuppressWarnings("unchecked")
    private static final TransactionRunner.RefOp UPDATE = (t, b, fn, unused) -> {
        Object v = ((UnaryOperator<Object>) fn).apply(t.readRef(b));
        ((TRef<?>) b).checkStorable(v);
        t.writeRef(b, v);
        return v;
    };
}
