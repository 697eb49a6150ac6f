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
 * A double of the epoch publish against a commit, reduced to the store-load pair the consistent cut rests on.
 *
 * <p>Checkpointer: publishes the new epoch, then (as the view does) reads a box's lock word. Committer: locks
 * the box (CAS), then reads the epoch. If the view found the box untouched (so it reads the old value) while
 * the commit read the old epoch (so its write belongs to the cut), the view misses a write of its own cut: a
 * split transfer. Sequential consistency forbids that pair. The real {@code Group.currentEpoch} is volatile and
 * its store is followed by the admin lock's release (on x86 both fence the store buffer); here the publish is a
 * release store only, which does not order the store before the checkpointer's next load.
 */
@JCStressTest
@Description("BROKEN DOUBLE: epoch published with a release store instead of a volatile store")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "commit in the old epoch (in the cut); the view saw it")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "commit in the new epoch (not in the cut); the view saw the box before it")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "commit in the new epoch; the view saw the box after it (reads the pre-image)")
@Outcome(id = "0, 0", expect = FORBIDDEN, desc = "commit in the cut, yet the view saw the box before it: the view misses it")
@State
public class BrokenEpochPublishTest {
    private static final VarHandle EPOCH;
    private static final VarHandle META;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            EPOCH = l.findVarHandle(BrokenEpochPublishTest.class, "epoch", long.class);
            META = l.findVarHandle(BrokenEpochPublishTest.class, "meta", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long epoch;
    private long meta;

    @Actor
    public void commit(II_Result r) {
        META.compareAndSet(this, 0L, 1L);          // lock the write set (as Txn.commit)
        r.r1 = (int) (long) EPOCH.getVolatile(this); // the commit's place in the cut
        META.setRelease(this, 4L);                 // write back, release with the new version
    }

    @Actor
    public void checkpoint(II_Result r) {
        EPOCH.setRelease(this, 1L);                // BROKEN: the real publish is a volatile store
        r.r2 = (long) META.getAcquire(this) == 0L ? 0 : 1; // the view's first look at the box (lvMeta)
    }
}
