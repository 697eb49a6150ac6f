package io.aurora4j.jcstress.teeth;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A double of {@code CommitGate} with the Dekker pair weakened from volatile (sequentially consistent) to
 * release/acquire: the committer's counter increment is a release store and its read of {@code closed} an
 * acquire load; the closer's write of {@code closed} is a release store and its read of the counter an
 * acquire load. Release/acquire does not order a store before a later load (x86's store buffer reorders
 * exactly that), so both sides can miss each other: the commit enters and the drain does not wait for it.
 * Same outcomes as {@code io.aurora4j.txn.CommitGateTest}.
 */
@JCStressTest
@Description("BROKEN DOUBLE: commit gate with release/acquire instead of volatile")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the commit saw the gate closed and backed out")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "the commit entered; the drain waited for its exit")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "the commit entered, yet the drain did not wait for it")
@Outcome(expect = FORBIDDEN, desc = "impossible")
@State
public class BrokenGateTest {
    private static final VarHandle COUNT;
    private static final VarHandle CLOSED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            COUNT = l.findVarHandle(BrokenGateTest.class, "count", long.class);
            CLOSED = l.findVarHandle(BrokenGateTest.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long count;
    private boolean closed;
    private int work;

    @Actor
    public void commit(II_Result r) {
        COUNT.setRelease(this, (long) COUNT.getAcquire(this) + 1); // BROKEN: was getAndAdd (volatile)
        if ((boolean) CLOSED.getAcquire(this)) {                  // BROKEN: was a volatile read
            COUNT.setRelease(this, (long) COUNT.getAcquire(this) - 1);
            return;
        }
        work = 1;
        COUNT.setRelease(this, (long) COUNT.getAcquire(this) - 1);
        r.r1 = 1;
    }

    @Actor
    public void rollback(II_Result r) {
        CLOSED.setRelease(this, true);                             // BROKEN: was a volatile write
        while ((long) COUNT.getAcquire(this) != 0) {
            Thread.onSpinWait();
        }
        r.r2 = work;
    }
}
