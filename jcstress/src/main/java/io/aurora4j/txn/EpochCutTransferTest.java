package io.aurora4j.txn;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Consistent cut (ARCHITECTURE.md invariant 3) through the epoch publish: a transfer commits while another thread
 * takes a checkpoint and reads both accounts through the checkpoint's view.
 *
 * <p>Protocol under test: {@code EpochTimeline.take} publishes a new {@code Epoch} with a volatile store to
 * {@code currentEpoch}; {@code Txn.commit} reads {@code currentEpoch} while it holds the locks of its whole
 * write set, pushes pre-images stamped with that epoch before it writes the values back and releases each
 * box's lock word ({@code soMeta}); {@code CheckpointView.longAt} reads value and history inside the box's
 * seqlock and picks the oldest pre-image pushed after the cut. A commit lands wholly on one side of the cut,
 * so the view's two values always add up to the total.
 */
@JCStressTest
@Description("A checkpoint's view of two accounts taken while a transfer between them commits")
@Outcome(id = "100, 0", expect = ACCEPTABLE, desc = "the cut is before the transfer")
@Outcome(id = "90, 10", expect = ACCEPTABLE, desc = "the cut is after the transfer")
@Outcome(expect = FORBIDDEN, desc = "the view splits the transfer (or shows a value never written): not a consistent cut")
@State
public class EpochCutTransferTest {
    private final Group group = StressGroups.fresh("cut");
    private final TLong a = group.newLong("a", 100);
    private final TLong b = group.newLong("b", 0);

    @Actor
    public void transfer() {
        group.atomic(() -> {
            a.add(-10);
            b.add(10);
        });
    }

    @Actor
    public void checkpointAndView(JJ_Result r) {
        CheckpointView view = group.checkpoint().view();
        r.r1 = view.get(a);
        r.r2 = view.get(b);
    }
}
