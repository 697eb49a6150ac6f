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
 * retry()'s lost wake-up race (issue #13): a transaction that read {@code x = 0} registers as a waiter and re-checks
 * its reads ({@code RetryWaiters.register}, then {@code Txn.readsChanged}, exactly what {@code RetryWaiters.await}
 * does before it parks), while a committer writes {@code x = 1} outside any transaction (the real commit path, which
 * reads the waiter count after CASing the lock word). Either the re-check sees the change (and the waiter would not
 * park) or the committer sees the waiter and signals it. r1: the value the transaction read; r2: 1 if the re-check
 * saw a change; r3: 1 if the waiter was signalled.
 */
@JCStressTest
@Description("retry(): a waiter registering and re-checking vs a commit writing what it read")
@Outcome(id = "0, 0, 0", expect = FORBIDDEN, desc = "lost wake-up: read the old value, saw no change, never signalled")
@Outcome(id = "0, 1, .", expect = ACCEPTABLE, desc = "the re-check saw the write: the waiter re-runs at once")
@Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "the committer saw the waiter and signalled it")
@Outcome(id = "1, 0, .", expect = ACCEPTABLE, desc = "the transaction read the new value: nothing to wait for")
@Outcome(expect = FORBIDDEN, desc = "impossible")
@State
public class RetryWakeUpTest {
    private final Group group = Group.inMemory("jcstress-retry");
    private final TLong x = group.newLong("x", 0);
    private RetryWaiters.Waiter waiter;

    @Actor
    public void waiter(III_Result r) {
        Txn t = Txn.current();
        t.begin(group);
        try {
            r.r1 = (int) x.get();
            waiter = group.retryWaiters.register();
            r.r2 = t.readsChanged() ? 1 : 0;
        } finally {
            t.end();
        }
    }

    @Actor
    public void committer() {
        x.set(1);
    }

    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = waiter.signalled ? 1 : 0;
        group.retryWaiters.deregister(waiter);
    }
}
