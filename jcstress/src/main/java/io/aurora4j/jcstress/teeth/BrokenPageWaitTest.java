package io.aurora4j.jcstress.teeth;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Mode;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.Signal;
import org.openjdk.jcstress.annotations.State;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A double of the page hand-off in which the reader waits for the copy (as a reader waits in the seqlock for the
 * lock word to change) and both sides use plain accesses: the writer stores the copy into the leaf slot with a
 * plain store (the real code: a release store), the reader polls the slot with plain loads (the real code: an
 * acquire load, as {@code lvMeta} is for the lock word it spins on). Nothing obliges the compiler to load the
 * slot again on each turn, so the reader may never see the copy. {@link BrokenPageHandOffTest}, which checks the
 * copy's contents, did not fail on x86 (the hardware keeps stores in order and C2 kept the copy before the
 * publish); this one shows the missing ordering on x86 too.
 */
@JCStressTest(Mode.Termination)
@Description("BROKEN DOUBLE: a reader polling a leaf slot with plain loads for a page published with a plain store")
@Outcome(id = "TERMINATED", expect = ACCEPTABLE, desc = "the reader saw the published copy")
@Outcome(id = "STALE", expect = FORBIDDEN, desc = "the reader never saw the published copy")
@State
public class BrokenPageWaitTest {
    private final long[] frozen = {5L};
    private final long[][] leaf = {frozen};

    @Actor
    public void reader() {
        while (leaf[0] == frozen) { // BROKEN: the real load is an acquire load
            // spin
        }
    }

    @Signal
    public void publish() {
        leaf[0] = new long[] {5L}; // BROKEN: the real publish is a release store
    }
}
