package io.aurora4j.txn;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Reads outside a transaction (the seqlock of {@code LongBox.readCommitted}) against writes outside a
 * transaction (each its own small transaction: lock word CAS, opaque value store, release of the lock word
 * with the new version).
 *
 * <p>The writer sets {@code x} and then {@code y} to all-ones; the reader reads {@code y} and then {@code x}.
 * The reader acquires the lock word, reads the value opaquely, and re-reads the lock word after a load-load
 * fence. Two things must hold: no value other than 0 or -1 (a torn or out-of-thin-air 64-bit value), and
 * message passing: a reader that sees the second write sees the first (each write's value is published by
 * the release of its lock word, and the writes are ordered by the second one's lock CAS).
 */
@JCStressTest
@Description("Seqlock reads of two TLongs outside transactions while they are written outside transactions")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "both reads before the writes")
@Outcome(id = "0, -1", expect = ACCEPTABLE_INTERESTING, desc = "y read before its write, x after its write")
@Outcome(id = "-1, -1", expect = ACCEPTABLE, desc = "both reads after the writes")
@Outcome(id = "-1, 0", expect = FORBIDDEN, desc = "saw the second write but not the first: publication out of order")
@Outcome(expect = FORBIDDEN, desc = "a torn or out-of-thin-air value")
@State
public class SeqlockReadTest {
    private final Group group = StressGroups.fresh("seqlock");
    private final TLong x = group.newLong("x", 0);
    private final TLong y = group.newLong("y", 0);

    @Actor
    public void writer() {
        x.set(-1L);
        y.set(-1L);
    }

    @Actor
    public void reader(JJ_Result r) {
        r.r1 = y.get();
        r.r2 = x.get();
    }
}
