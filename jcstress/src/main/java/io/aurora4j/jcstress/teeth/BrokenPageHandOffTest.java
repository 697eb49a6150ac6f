package io.aurora4j.jcstress.teeth;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A double of {@code Region}'s page hand-off with both orderings removed: the writer copies the frozen page into
 * a pooled chunk that still holds an earlier page's bytes (-1 here), stores the chunk into the leaf slot with a
 * plain store (the real code: {@code RegionRoot.PAGES.setRelease}) and then writes its value into the copy; the
 * reader loads the slot with a plain load (the real code: {@code getAcquire}) and reads two words. Same outcomes
 * as {@code io.aurora4j.txn.RegionPageCopyTest}: a -1 is a foreign page's byte seen through an unfilled copy.
 */
@JCStressTest
@Description("BROKEN DOUBLE: page copy published with a plain store, read with a plain load")
@Outcome(id = "5, 5", expect = ACCEPTABLE, desc = "read the old page (or the copy before the write)")
@Outcome(id = "7, 5", expect = ACCEPTABLE, desc = "read the copy after the write")
@Outcome(expect = FORBIDDEN, desc = "read bytes that were never the page's: an unfilled copy")
@State
public class BrokenPageHandOffTest {
    private static final int WORDS = 8;

    private final long[][] leaf = new long[1][];
    private final long[] pooledChunk = new long[WORDS];

    public BrokenPageHandOffTest() {
        long[] frozen = new long[WORDS];
        java.util.Arrays.fill(frozen, 5L);
        leaf[0] = frozen;
        java.util.Arrays.fill(pooledChunk, -1L); // an earlier page's bytes
    }

    @Actor
    public void writer() {
        long[] old = leaf[0];
        long[] copy = pooledChunk;
        for (int i = 0; i < WORDS; i++) {
            copy[i] = old[i];  // plain stores, as the real copy
        }
        leaf[0] = copy;        // BROKEN: the real publish is a release store
        copy[0] = 7L;          // the write that caused the copy
    }

    @Actor
    public void reader(JJ_Result r) {
        long[] page = leaf[0]; // BROKEN: the real load is an acquire load (inside the seqlock)
        r.r1 = page[0];
        r.r2 = page[WORDS - 1];
    }
}
