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
 * Page hand-off in raw mode: the first write to a page after a checkpoint ({@code RegionAccessPaths.rawWritable}) copies
 * the page with plain stores (an Agrona bulk copy) into a fresh chunk, stamps it, and publishes it with a
 * release store into the leaf slot (after copying root and leaf, each also published with a release store),
 * all under the region's lock; the write itself then goes into the copy. A concurrent reader outside a
 * transaction reads inside the region's seqlock and finds root, leaf and page with acquire loads.
 *
 * <p>The page holds {@code OLD} in every word. The writer puts {@code NEW} in word 0; the reader reads word 0
 * and word 7 (never written). A reader that finds the copy before its bytes are visible would read zeros
 * (fresh slab memory) or a freed page's bytes in word 7.
 */
@JCStressTest
@Description("Raw write copying a frozen page vs. a raw read of it")
@Outcome(id = "5, 5", expect = ACCEPTABLE, desc = "read the old page (or the copy before the write)")
@Outcome(id = "7, 5", expect = ACCEPTABLE, desc = "read the copy after the write")
@Outcome(expect = FORBIDDEN, desc = "read bytes that were never the page's: an unfilled or foreign copy")
@State
public class RegionPageCopyTest {
    static final long OLD = 5;
    static final long NEW = 7;
    private static final StressRegion SHARED = new StressRegion("page-copy");

    private final Region region = SHARED.region;
    private final long base = SHARED.prepare(1, OLD);

    @Actor
    public void writer() {
        region.putLong(base, NEW);
    }

    @Actor
    public void reader(JJ_Result r) {
        r.r1 = region.getLong(base);
        r.r2 = region.getLong(base + StressRegion.PAGE - Long.BYTES);
    }
}
