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
 * Consistent cut over region pages: a transaction writes two different pages while another thread takes a
 * checkpoint and reads both through the checkpoint's view. The commit reads the epoch under the region's
 * lock, copies the root (its pre-image, stamped with that epoch, pushed to history before the new root is
 * released) and installs both shadows; the view walks the root's history inside the seqlock. Both pages come
 * from one side of the cut.
 */
@JCStressTest
@Description("A checkpoint's view of two region pages taken while a transaction writes both")
@Outcome(id = "5, 5", expect = ACCEPTABLE, desc = "the cut is before the transaction")
@Outcome(id = "7, 7", expect = ACCEPTABLE, desc = "the cut is after the transaction")
@Outcome(expect = FORBIDDEN, desc = "the view splits the transaction, or shows bytes never written")
@State
public class RegionCutTest {
    static final long OLD = 5;
    static final long NEW = 7;
    private static final StressRegion SHARED = new StressRegion("cut");

    private final Group group = SHARED.group;
    private final Region region = SHARED.region;
    private final long base = SHARED.prepare(2, OLD);

    @Actor
    public void writer() {
        group.atomic(() -> {
            region.putLong(base, NEW);
            region.putLong(base + StressRegion.PAGE, NEW);
        });
    }

    @Actor
    public void checkpointAndView(JJ_Result r) {
        CheckpointView view = group.checkpoint().view();
        r.r1 = view.getLong(region, base);
        r.r2 = view.getLong(region, base + StressRegion.PAGE);
    }
}
