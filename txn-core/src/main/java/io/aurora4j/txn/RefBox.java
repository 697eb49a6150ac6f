package io.aurora4j.txn;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** A versioned box holding a reference to an immutable value. */
abstract class RefBox extends VBox {
    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(RefBox.class, "value", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through VALUE
    private Object value;

    RefBox(Group group, Object initial, long version) {
        super(group, version);
        VALUE.setOpaque(this, initial);
    }

    final Object loValue() {
        return VALUE.getOpaque(this);
    }

    final void spValue(Object v) {
        VALUE.setOpaque(this, v);
    }

    /** A consistent single read outside any transaction (seqlock). */
    final Object readCommitted() {
        for (int spins = 0; ; spins++) {
            long m1 = lvMeta();
            if ((m1 & LOCKED) == 0) {
                Object v = loValue();
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
        return new UndoEntry(this, epoch, 0L, loValue());
    }

    @Override
    final void restore(UndoEntry entry) {
        spValue(entry.oldRef);
    }
}
