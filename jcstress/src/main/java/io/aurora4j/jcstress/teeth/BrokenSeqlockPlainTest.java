package io.aurora4j.jcstress.teeth;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * As {@link BrokenSeqlockTest}, with the first read of the lock word made plain as well: nothing orders the
 * reader's loads, so the compiler may read the lock word once for both checks. Kept because the milder break
 * in {@link BrokenSeqlockTest} did not show on x86 (see the README); this one shows what the test's outcome
 * space catches when the reordering does happen.
 *
 * <p>Original description of the protocol: a double of the seqlock read that {@code CheckpointView.longAt} and {@code Region}'s raw read use (lock word
 * acquired, contents read, lock word re-read after {@code VarHandle.loadLoadFence()}), with the re-read made
 * plain and the fence removed. The writer mimics a commit of two words under one lock word: lock (odd), write
 * both, release with a new even version. Without the fence and with plain loads, nothing stops the compiler
 * (or a weaker CPU) from reading the lock word the second time before the contents, or from reusing the
 * first read: the reader validates a torn pair.
 */
@JCStressTest
@Description("BROKEN DOUBLE: seqlock read with plain loads of the lock word (no acquire, no fence)")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "read before the write")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "read after the write")
@Outcome(id = "-1, -1", expect = ACCEPTABLE, desc = "the read saw the lock held (or a change) and gave up")
@Outcome(expect = FORBIDDEN, desc = "the seqlock validated a torn pair")
@State
public class BrokenSeqlockPlainTest {
    private static final VarHandle META;

    static {
        try {
            META = MethodHandles.lookup().findVarHandle(BrokenSeqlockPlainTest.class, "meta", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long meta;
    private long a;
    private long b;

    @Actor
    public void writer() {
        META.setVolatile(this, 1L); // locked (the real code CASes)
        a = 1;
        b = 1;
        META.setRelease(this, 2L); // released with the new version
    }

    @Actor
    public void reader(JJ_Result r) {
        long m1 = meta; // BROKEN: the real code acquires (lvMeta)
        long va = a;
        long vb = b;
        long m2 = meta; // BROKEN: the real code fences (loadLoadFence) and re-reads opaquely
        if ((m1 & 1) == 0 && m1 == m2) {
            r.r1 = va;
            r.r2 = vb;
        } else {
            r.r1 = -1;
            r.r2 = -1;
        }
    }
}
