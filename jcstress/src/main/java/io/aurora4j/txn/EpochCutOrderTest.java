package io.aurora4j.txn;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Consistent cut, real-time side (ARCHITECTURE.md invariant 3 and {@link Group#checkpoint(String)}): a checkpoint
 * contains every transaction that committed before it was called and none that started committing after it returned.
 *
 * <p>Each actor tells the other, through a volatile flag, that its step is over: the transfer sets
 * {@code committed} after {@code atomic} returns, the checkpointer sets {@code taken} after
 * {@code checkpoint()} returns. Each reads the other's flag before its own step. A commit that was over
 * before the checkpoint began must be in the cut; a commit that began after the checkpoint returned must
 * not be. This is what the volatile publish of {@code Group.currentEpoch} (and the commit's read of it under
 * its locks) has to deliver: with a plain field, a commit could keep reading the closed epoch.
 */
@JCStressTest
@Description("Checkpoint vs. transfer, with each side telling the other when its step is over")
@Outcome(id = "0, 0, 100, 0", expect = ACCEPTABLE, desc = "concurrent; the cut is before the transfer")
@Outcome(id = "0, 0, 90, 10", expect = ACCEPTABLE, desc = "concurrent; the cut is after the transfer")
@Outcome(id = "1, 0, 90, 10", expect = ACCEPTABLE_INTERESTING, desc = "the transfer was over before the checkpoint began: in the cut")
@Outcome(id = "0, 1, 100, 0", expect = ACCEPTABLE_INTERESTING, desc = "the checkpoint was over before the transfer began: not in the cut")
@Outcome(id = "1, 0, 100, 0", expect = FORBIDDEN, desc = "a transfer committed before the checkpoint began is missing from it")
@Outcome(id = "0, 1, 90, 10", expect = FORBIDDEN, desc = "a transfer that began after the checkpoint returned is in it")
@Outcome(expect = FORBIDDEN, desc = "impossible flags, or a view that splits the transfer")
@State
public class EpochCutOrderTest {
    private final Group group = StressGroups.fresh("cut-order");
    private final TLong a = group.newLong("a", 100);
    private final TLong b = group.newLong("b", 0);
    private volatile int committed;
    private volatile int taken;

    @Actor
    public void transfer(IIII_Result r) {
        r.r2 = taken;
        group.atomic(() -> {
            a.add(-10);
            b.add(10);
        });
        committed = 1;
    }

    @Actor
    public void checkpointAndView(IIII_Result r) {
        r.r1 = committed;
        Checkpoint cp = group.checkpoint();
        taken = 1;
        CheckpointView view = cp.view();
        r.r3 = (int) view.get(a);
        r.r4 = (int) view.get(b);
    }
}
