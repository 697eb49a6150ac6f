package io.aurora4j.txn;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Opacity (ARCHITECTURE.md invariant 2) over real memory ordering: a transaction reading two accounts while a transfer
 * between them commits never sees a torn pair, not even in an attempt that later aborts. The reads go
 * through {@code Txn.readLong}: a seqlock snapshot of each box (acquire of the lock word, opaque value,
 * fenced re-read) validated against the read version, with snapshot extension on a newer version.
 */
@JCStressTest
@Description("A reading transaction against a committing transfer: every attempt sees a consistent pair")
@Outcome(id = "100, 0, 0", expect = ACCEPTABLE, desc = "read before the transfer")
@Outcome(id = "90, 10, 0", expect = ACCEPTABLE, desc = "read after the transfer")
@Outcome(expect = FORBIDDEN, desc = "an attempt saw the accounts not adding up (third value: such attempts)")
@State
public class OpacityTransferTest {
    private final Group group = StressGroups.fresh("opacity");
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
    public void read(JJJ_Result r) {
        group.atomic(() -> {
            long va = a.get();
            long vb = b.get();
            if (va + vb != 100) {
                r.r3++; // counted even if the attempt aborts later: opacity forbids it in any attempt
            }
            r.r1 = va;
            r.r2 = vb;
        });
    }
}
