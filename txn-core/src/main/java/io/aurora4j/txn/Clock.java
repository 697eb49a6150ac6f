package io.aurora4j.txn;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The group's version clock, alone on its cache line: it is written by every commit, while the group's
 * other fields (incarnation, current epoch, closed flag) are read by every transaction. Sharing a line,
 * each commit on one core made the next transaction on the other core miss on all of them (W2 at two
 * threads). The padding classes keep the JVM from placing other fields beside the value (JCTools' layout).
 */
final class Clock extends ClockValue {
    @SuppressWarnings("unused")
    private long q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13, q14, q15;

    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(ClockValue.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    long now() {
        return (long) VALUE.getVolatile(this);
    }

    void set(long v) {
        VALUE.setVolatile(this, v);
    }

    long tick() {
        return (long) VALUE.getAndAdd(this, 1L) + 1L;
    }
}

abstract class ClockPad {
    @SuppressWarnings("unused")
    private long p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15;
}

abstract class ClockValue extends ClockPad {
    @SuppressWarnings("unused") // accessed through Clock.VALUE
    volatile long value;
}
