package io.aurora4j.txn;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The commit gate's Dekker pair (what lets a rollback wait for exactly the commits in flight): a committer
 * increments its counter and then reads {@code closed}; the closer writes {@code closed} and then waits for
 * every counter to read zero. Either the committer sees the gate closed, or the closer waits for its exit.
 * The committer writes {@code work} while inside; the closer reads it after the drain. Runs the real
 * {@code CommitGate} ({@code tryEnter}, which backs out without waiting for the gate to open).
 *
 * <p>The same check as {@code CommitGateTest}, for a thread past the first {@code CommitGate.OWNED}: its counter
 * is one of the shared ones, entered by an atomic increment instead of its owner's volatile store.
 *
 * <p>This is a store-then-load protocol, the one reordering x86 does in hardware (the store buffer), so it
 * is the protocol here where a missing volatile is most likely to show on CI machines.
 */
@JCStressTest
@Description("Commit gate, shared counter: a commit entering vs. a rollback closing and draining")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the commit saw the gate closed and backed out")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "the commit entered; the drain waited for its exit")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "the commit entered, yet the drain did not wait for it")
@Outcome(expect = FORBIDDEN, desc = "impossible")
@State
public class CommitGateSharedCounterTest {
    private final CommitGate gate = new CommitGate();
    /** A stripe past the owned counters: the commit uses a shared, atomic counter. */
    private static final int SHARED_STRIPE = CommitGate.OWNED + 3;
    private int work;

    @Actor
    public void commit(II_Result r) {
        int slot = gate.tryEnter(SHARED_STRIPE);
        if (slot >= 0) {
            work = 1;
            gate.exit(slot);
            r.r1 = 1;
        }
    }

    @Actor
    public void rollback(II_Result r) {
        gate.closeAndDrain();
        r.r2 = work; // the gate stays closed: a commit arriving after this backs out instead of racing the read
    }
}
