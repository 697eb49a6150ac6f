package io.aurora4j.txn;

import java.util.Objects;
import java.util.function.LongUnaryOperator;

/**
 * A transactional {@code long}, registered in its {@link Group} under a unique id. No operation boxes.
 *
 * <p>Inside {@link Group#atomic} of its group, reads and writes are part of the running transaction
 * (buffered until commit, serializable, never torn). Outside any scope, {@link #get()} is one consistent
 * read and every other operation is its own small transaction, retried on conflict.
 *
 * <p>Thread-safe. Misuse fails at once: use inside a transaction of another group
 * ({@link IllegalArgumentException}), use after the group is closed, or after a rollback discarded the
 * object because it was created after the checkpoint rolled back to ({@link IllegalStateException}).
 */
public final class TLong extends LongBox implements StateObject {
    private final String id;
    final long createdEpoch;

    TLong(Group group, String id, long initial, long version, long createdEpoch) {
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
    public long get() {
        Txn t = Txn.current();
        if (t.active) {
            return t.readLong(this);
        }
        group.checkOpen();
        t.checkGuard(group);
        return readCommitted();
    }

    /** Sets the value. */
    public void set(long value) {
        Txn t = Txn.current();
        if (t.active) {
            t.writeLong(this, value);
            return;
        }
        TransactionRunner.runLong(group, this, value, 0, SET);
    }

    /** Adds {@code delta} and returns the new value. */
    public long add(long delta) {
        Txn t = Txn.current();
        if (t.active) {
            return ADD.apply(t, this, delta, 0);
        }
        return TransactionRunner.runLong(group, this, delta, 0, ADD);
    }

    /** Sets the value and returns the previous one. */
    public long getAndSet(long value) {
        Txn t = Txn.current();
        if (t.active) {
            return GET_AND_SET.apply(t, this, value, 0);
        }
        return TransactionRunner.runLong(group, this, value, 0, GET_AND_SET);
    }

    /** Sets the value to {@code update} if it equals {@code expected}; says whether it did. */
    public boolean compareAndSet(long expected, long update) {
        Txn t = Txn.current();
        if (t.active) {
            return CAS.apply(t, this, expected, update) != 0;
        }
        return TransactionRunner.runLong(group, this, expected, update, CAS) != 0;
    }

    /**
     * Applies {@code fn} to the value and stores the result, atomically; returns the new value. Outside a
     * scope the function may run more than once (once per attempt), so it must be free of side effects.
     */
    public long updateAndGet(LongUnaryOperator fn) {
        Objects.requireNonNull(fn, "fn");
        return group.atomic(() -> {
            long v = fn.applyAsLong(get());
            set(v);
            return v;
        });
    }

    @Override
    String describe() {
        return "TLong '" + id + "'";
    }

    /** See {@link StateObjects#discard}. */
    void discard(long version) {
        soMeta(version << 2 | DEAD | LOCKED);
    }

    @Override
    public String toString() {
        return "TLong '" + id + "' of group '" + group.name() + "'";
    }

    // Non-capturing, so these are allocated once: outside a scope an operation allocates nothing.
    private static final TransactionRunner.LongOp SET = (t, b, v, unused) -> {
        t.writeLong(b, v);
        return v;
    };
    private static final TransactionRunner.LongOp ADD = (t, b, d, unused) -> {
        long v = t.readLong(b) + d;
        t.writeLong(b, v);
        return v;
    };
    private static final TransactionRunner.LongOp GET_AND_SET = (t, b, v, unused) -> {
        long old = t.readLong(b);
        t.writeLong(b, v);
        return old;
    };
    /** Returns 1 if it set the value, 0 if the value did not equal {@code expected}. */
    private static final TransactionRunner.LongOp CAS = (t, b, expected, update) -> {
        if (t.readLong(b) != expected) {
            return 0;
        }
        t.writeLong(b, update);
        return 1;
    };
}
