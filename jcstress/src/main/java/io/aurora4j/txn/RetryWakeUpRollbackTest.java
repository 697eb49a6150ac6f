package io.aurora4j.txn;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * retry() racing a rollback (issue #13): a transaction that began before the rollback registers as a waiter and
 * re-checks its reads (incarnation included) while another thread rolls the group back to a checkpoint where
 * {@code x} was 5 ({@code x} is 0 now; the rollback bumps the incarnation, restores, then wakes waiters). Either the
 * re-check sees the rollback or the rollback signals the waiter. r1: 0 if the group's incarnation still read 0 after
 * the transaction's read (so it surely began before the rollback), else 1; r2: 1 if the re-check saw a change (or the
 * read itself was aborted by the rollback); r3: 1 if the waiter was signalled.
 */
@JCStressTest
@Description("retry(): a waiter registering and re-checking vs a rollback of the group")
@Outcome(id = "0, 0, 0", expect = FORBIDDEN, desc = "lost wake-up: began before the rollback, saw no change, never signalled")
@Outcome(id = "0, 1, .", expect = ACCEPTABLE, desc = "the re-check saw the rollback: the waiter re-runs at once")
@Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "the rollback saw the waiter and signalled it")
@Outcome(id = "1, ., .", expect = ACCEPTABLE, desc = "the transaction may have begun after the rollback")
@Outcome(expect = FORBIDDEN, desc = "impossible")
@State
public class RetryWakeUpRollbackTest {
    private final Group group = Group.builder("jcstress-retry-rollback").retainCheckpoints(1).open();
    private final TLong x = group.newLong("x", 5);
    private final Checkpoint cp;
    private RetryWaiters.Waiter waiter;

    public RetryWakeUpRollbackTest() {
        cp = group.checkpoint();
        x.set(0);
    }

    @Actor
    public void waiter(III_Result r) {
        Txn t = Txn.current();
        t.begin(group);
        try {
            x.get();
            r.r1 = group.incarnation() == 0 ? 0 : 1;
            waiter = group.retryWaiters.register();
            r.r2 = t.readsChanged() ? 1 : 0;
        } catch (ConflictSignal abortedByTheRollback) {
            r.r1 = group.incarnation() == 0 ? 0 : 1;
            r.r2 = 1;
        } finally {
            t.end();
        }
    }

    @Actor
    public void rollback() {
        group.rollback(cp);
    }

    @Arbiter
    public void arbiter(III_Result r) {
        if (waiter != null) {
            r.r3 = waiter.signalled ? 1 : 0;
            group.retryWaiters.deregister(waiter);
        }
    }
}
