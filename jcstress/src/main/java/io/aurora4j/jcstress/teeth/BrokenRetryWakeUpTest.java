package io.aurora4j.jcstress.teeth;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A double of {@code RetryWaiters}' protocol with the waiter's steps in the wrong order: it re-checks the lock word
 * of what it read BEFORE it registers (increments the waiter count). A commit that writes between the two steps
 * finds no waiter and signals nobody, while the waiter's re-check already passed: the lost wake-up that
 * {@code io.aurora4j.txn.RetryWakeUpTest} forbids, with the same outcomes. Every access is volatile, so this break
 * shows even under sequential consistency.
 */
@JCStressTest
@Description("BROKEN DOUBLE: retry() waiter re-checks its reads before registering")
@Outcome(id = "0, 0, 0", expect = FORBIDDEN, desc = "lost wake-up: read the old value, saw no change, never signalled")
@Outcome(id = "0, 1, .", expect = ACCEPTABLE, desc = "the re-check saw the write: the waiter re-runs at once")
@Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "the committer saw the waiter and signalled it")
@Outcome(id = "1, 0, .", expect = ACCEPTABLE, desc = "the transaction read the new value: nothing to wait for")
@Outcome(expect = FORBIDDEN, desc = "impossible")
@State
public class BrokenRetryWakeUpTest {
    private static final VarHandle META;
    private static final VarHandle COUNT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            META = l.findVarHandle(BrokenRetryWakeUpTest.class, "meta", long.class);
            COUNT = l.findVarHandle(BrokenRetryWakeUpTest.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile long meta; // the box's lock word: version << 2 | LOCKED
    private volatile long value;
    private volatile int count;
    private volatile boolean signalled;

    @Actor
    public void waiter(III_Result r) {
        long m;
        long v;
        do { // the transaction's read: a seqlock snapshot of value and lock word, as Txn.readLong takes it
            m = meta;
            v = value;
        } while ((m & 1) != 0 || meta != m);
        r.r1 = (int) v;
        r.r2 = (long) META.getVolatile(this) != m ? 1 : 0; // BROKEN: the re-check, before registering
        COUNT.getAndAdd(this, 1);                            // register
    }

    @Actor
    public void committer() {
        long m = meta;
        META.compareAndSet(this, m, m | 1);     // lock
        value = 1;
        META.setRelease(this, (m + 4) & ~1L);   // unlock at the next version
        if ((int) COUNT.getVolatile(this) != 0) { // wakeIfAny
            signalled = true;
        }
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = signalled ? 1 : 0;
    }
}
