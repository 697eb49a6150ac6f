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
 * Page hand-off through a transaction: the transaction's first write to a page copies it into a private
 * shadow (read inside the seqlock), and the commit installs the shadow (version and epoch stamped first)
 * with a release store into a leaf slot under the region's lock word, then releases the lock word with the
 * new version. A reader outside a transaction reads inside the seqlock, so it sees the old page or the whole
 * new one. The page holds {@code OLD} in every word; the transaction writes {@code NEW} to two words at the
 * two ends of the page, so a half-visible shadow shows as a mixed pair.
 */
@JCStressTest
@Description("Transactional write installing a page shadow vs. a raw read of the page")
@Outcome(id = "5, 5", expect = ACCEPTABLE, desc = "read the page before the commit")
@Outcome(id = "7, 7", expect = ACCEPTABLE, desc = "read the installed shadow")
@Outcome(expect = FORBIDDEN, desc = "a torn page: half of the transaction's write, or bytes never written")
@State
public class RegionShadowInstallTest {
    static final long OLD = 5;
    static final long NEW = 7;
    private static final long LAST = StressRegion.PAGE - Long.BYTES;
    private static final StressRegion SHARED = new StressRegion("shadow-install");

    private final Group group = SHARED.group;
    private final Region region = SHARED.region;
    private final long base = SHARED.prepare(1, OLD);

    @Actor
    public void writer() {
        group.atomic(() -> {
            region.putLong(base, NEW);
            region.putLong(base + LAST, NEW);
        });
    }

    @Actor
    public void reader(JJ_Result r) {
        byte[] page = new byte[StressRegion.PAGE];
        region.getBytes(base, page); // one seqlock read of the whole page
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(page).order(java.nio.ByteOrder.nativeOrder());
        r.r1 = bytes.getLong(0);
        r.r2 = bytes.getLong((int) LAST);
    }
}
