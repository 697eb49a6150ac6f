package io.aurora4j.modelchecks.cut;

import io.aurora4j.modelchecks.AbstractLincheckTest;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;

/**
 * A checkpoint is a serializable prefix even across read-write anti-dependencies (DESIGN §3, invariant 3;
 * issue #13). {@link #readXWriteY()} is T1 of the issue: it reads {@code x} and writes {@code y = x + 1}, so
 * {@code y} records which {@code x} it saw. {@link #incrementX()} is T2: it overwrites {@code x}. When T1 read
 * {@code x} before T2 overwrote it, T1 serializes before T2, so a checkpoint holding T2's {@code x} must hold
 * T1's {@code y}. {@link #checkpointView()} takes a checkpoint and returns what its view shows; the sequential
 * {@link Spec} (a checkpoint returns the state at its place in a serial order) explains every result only if
 * the cut is a prefix of the serialization order.
 *
 * <p>The race this exists for (custom scenario): T1 reads {@code x}; T2 locks {@code x} and reads the epoch;
 * a checkpoint publishes the next epoch; T1 locks {@code y}, reads the new epoch and takes the version after
 * its read version, so no commit ticked the clock since it began — TL2 skips read validation in that case;
 * then T2 ticks and writes back in the old epoch. The checkpoint would hold T2 without T1 (a view
 * {@code x = 1, y = 0} while T1 returned 0, not 1). That window is a few instructions of T2's commit (between
 * its epoch read and its tick), and neither the model checker nor the stress runner reached it on the code
 * before the fix within far larger budgets than CI's (module README); txn-core's
 * {@code CutAfterSkippedValidationIssue13Test} drives it step by step. This test guards the property against
 * the wider changes that would open easier windows (e.g. the epoch read before the write locks).
 */
public abstract class AntiDependencyCutLincheckTest extends AbstractLincheckTest {

    protected final Group group;
    protected final TLong x;
    protected final TLong y;

    protected AntiDependencyCutLincheckTest(Group group) {
        this.group = group;
        this.x = group.newLong("x", 0);
        this.y = group.newLong("y", 0);
    }

    /** T1: {@code y = x + 1} in one transaction; returns the {@code x} it read. */
    @Operation
    public long readXWriteY() {
        return group.atomic(() -> {
            long seen = x.get();
            y.set(seen + 1);
            return seen;
        });
    }

    /** T2: overwrites {@code x} (x + 1) in one transaction. */
    @Operation
    public void incrementX() {
        group.atomic(() -> x.set(x.get() + 1));
    }

    /**
     * T1 taking the checkpoint itself, between its read of {@code x} and its write of {@code y} (a checkpoint
     * inside a transaction excludes that transaction's writes): the same race with one thread fewer, which the
     * model checker reaches with two thread switches. Returns the {@code x} it read; {@link #check()} then
     * checks that the checkpoint's view shows that same {@code x}: in a serial order the checkpoint sits right
     * before this transaction, so an overwrite of {@code x} in the cut means T1 must have read it.
     */
    @Operation
    public long readXCheckpointWriteY() {
        Checkpoint[] cp = new Checkpoint[1];
        long seen = group.atomic(() -> {
            long sx = x.get();
            cp[0] = group.checkpoint(); // the attempt that commits took the last one
            y.set(sx + 1);
            return sx;
        });
        taken.add(new Taken(seen, cp[0]));
        return seen;
    }

    /** A checkpoint taken inside a {@link #readXCheckpointWriteY()} that committed, with the x it read. */
    record Taken(long seenX, Checkpoint checkpoint) {
    }

    private final Queue<Taken> taken = new ConcurrentLinkedQueue<>();

    /** Checked after each part of the scenario (no thread active, so views never wait): see {@link #readXCheckpointWriteY()}. */
    @Validate
    public void check() {
        Audit.check(this);
    }

    private static final class Audit {
        private Audit() {
        }

        static void check(AntiDependencyCutLincheckTest t) {
            for (Taken k : t.taken) {
                long cutX = k.checkpoint().view().get(t.x);
                if (cutX != k.seenX()) {
                    throw new AssertionError("checkpoint " + k.checkpoint().id() + ", taken inside a transaction that read x = "
                            + k.seenX() + ", shows x = " + cutX + " (and y = " + k.checkpoint().view().get(t.y)
                            + "): it holds an overwrite serialized after that transaction but not the transaction");
                }
            }
        }
    }

    @Override
    protected ModelCheckingOptions tune(ModelCheckingOptions options) {
        // The audit runs while no other thread is active: nothing to interleave, so do not analyse it.
        return options.addGuarantee(ManagedStrategyGuaranteeKt.forClasses(Audit.class.getName()).allMethods().ignore());
    }

    /** Takes a checkpoint and returns its view as {@code x * 1000 + y}. */
    @Operation
    public long checkpointView() {
        Checkpoint cp = group.checkpoint();
        return cp.view().get(x) * 1000 + cp.view().get(y);
    }

    /** The race of issue #13, explored in every run: see the class comment. */
    @Override
    protected List<Scenario> customScenarios() {
        return List.of(
                parallel(
                        thread(call("readXCheckpointWriteY")),
                        thread(call("incrementX"))),
                parallel(
                        thread(call("readXWriteY")),
                        thread(call("incrementX")),
                        thread(call("checkpointView"))),
                parallel(
                        thread(call("readXWriteY"), call("checkpointView")),
                        thread(call("incrementX"), call("readXWriteY")),
                        thread(call("checkpointView"), call("incrementX"))));
    }

    /** The sequential specification: two longs; a checkpoint shows them as they are at its place in the order. */
    public static final class Spec {
        private long x;
        private long y;

        public long readXWriteY() {
            long seen = x;
            y = seen + 1;
            return seen;
        }

        public void incrementX() {
            x++;
        }

        public long readXCheckpointWriteY() {
            return readXWriteY();
        }

        public long checkpointView() {
            return x * 1000 + y;
        }
    }

    @Override
    protected Class<?> sequentialSpecification() {
        return Spec.class;
    }
}
