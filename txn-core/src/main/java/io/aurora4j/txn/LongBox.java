package io.aurora4j.txn;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** A versioned box holding a primitive {@code long}: no boxing on any path. */
abstract class LongBox extends VBox {
    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(LongBox.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through VALUE so that 64-bit reads never tear
    private long value;

    LongBox(Group group, long initial, long version) {
        super(group, version);
        VALUE.setOpaque(this, initial);
    }

    final long loValue() {
        return (long) VALUE.getOpaque(this);
    }

    final void spValue(long v) {
        VALUE.setOpaque(this, v);
    }

    /** A consistent single read outside any transaction (seqlock). */
    final long readCommitted() {
        for (int spins = 0; ; spins++) {
            long m1 = lvMeta();
            if ((m1 & LOCKED) == 0) {
                long v = loValue();
                if (lpMetaAfterFence() == m1) {
                    return v;
                }
            } else if ((m1 & DEAD) != 0) {
                throw discardedError();
            } else {
                Backoff.spin(spins);
            }
        }
    }

    @Override
    final UndoEntry preImage(long epoch) {
        return new UndoEntry(this, epoch, loValue(), null);
    }

    @Override
    final void restore(UndoEntry entry) {
        spValue(entry.oldLong);
    }
}
