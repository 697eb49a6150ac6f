package io.aurora4j.modelchecks.atomicity;

import io.aurora4j.modelchecks.AbstractLincheckTest;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import org.jetbrains.lincheck.datastructures.Operation;

import java.util.List;

/**
 * Serializability against write skew (ARCHITECTURE.md invariant 2): two transactions that each read both of two
 * accounts and write a different one. {@code withdrawX} takes 1 from {@code x} if {@code x + y >= 1}, and
 * {@code withdrawY} does the same from {@code y}; with {@code x + y == 1} at the start, one of them must see
 * the other's write and refuse. A commit that does not validate its reads lets both commit from the same
 * snapshot, and the sum goes to -1: no serial order explains it.
 *
 * <p>The transfers of {@link TransferLincheckTest} cannot show this: they read and write the same boxes, so a
 * concurrent commit changes a box the next committer locks, and a commit version above the overwritten one
 * (see txn-core's {@code Clock}) already makes it validate. Here each transaction's write set is disjoint from
 * the other's: only validation of the read set stands between them and the anomaly. TL2's "skip validation
 * when {@code wv == rv + 1}" under a clock that commits do not move (GV5) is exactly that mistake.
 */
public abstract class WriteSkewLincheckTest extends AbstractLincheckTest {

    protected final Group group;
    protected final TLong x;
    protected final TLong y;

    protected WriteSkewLincheckTest(Group group) {
        this.group = group;
        this.x = group.newLong("x", 1);
        this.y = group.newLong("y", 0);
    }

    /** Takes 1 from {@code x} if the two accounts hold at least 1 together; true if it did. */
    @Operation
    public boolean withdrawX() {
        return group.atomic(() -> {
            if (x.get() + y.get() < 1) {
                return false;
            }
            x.set(x.get() - 1);
            return true;
        });
    }

    /** Takes 1 from {@code y} if the two accounts hold at least 1 together; true if it did. */
    @Operation
    public boolean withdrawY() {
        return group.atomic(() -> {
            if (x.get() + y.get() < 1) {
                return false;
            }
            y.set(y.get() - 1);
            return true;
        });
    }

    /** Gives 1 back to {@code y}, so that scenarios can withdraw more than once. */
    @Operation
    public void depositY() {
        group.atomic(() -> y.set(y.get() + 1));
    }

    /** Both accounts, read in one transaction. */
    @Operation
    public long sum() {
        return group.atomic(() -> x.get() + y.get());
    }

    /** The race itself: both withdrawals at once, then the sum. */
    @Override
    protected List<Scenario> customScenarios() {
        return List.of(parallel(thread(call("withdrawX")), thread(call("withdrawY"))).then(call("sum")));
    }

    /** The sequential specification: two longs. */
    public static final class Spec {
        private long x = 1;
        private long y;

        public boolean withdrawX() {
            if (x + y < 1) {
                return false;
            }
            x--;
            return true;
        }

        public boolean withdrawY() {
            if (x + y < 1) {
                return false;
            }
            y--;
            return true;
        }

        public void depositY() {
            y++;
        }

        public long sum() {
            return x + y;
        }
    }

    @Override
    protected Class<?> sequentialSpecification() {
        return Spec.class;
    }
}
