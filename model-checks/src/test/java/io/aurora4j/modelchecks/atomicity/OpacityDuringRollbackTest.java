package io.aurora4j.modelchecks.atomicity;

import io.aurora4j.modelchecks.LincheckBudget;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import org.jetbrains.lincheck.datastructures.Operation;

import java.util.List;

/**
 * Opacity against a rollback (ARCHITECTURE.md invariants 2 and 4): {@code audit()} checks the total in its body on
 * every attempt while {@code rollbackToStart()} puts every account back to a checkpoint taken before any transfer.
 * The rollback locks and restores each box in one pass and moves the clock only once every box is locked; a
 * transaction that began before the clock moved can read a box before the rollback reaches it, so it must meet the
 * restored boxes with a version above its snapshot (and abort when it extends), and one that began after must find
 * every box locked. Moving the clock first lets an audit begin between the two and read one account from before the
 * rollback and another restored: the model checker finds that torn total (issue #13, session 7; the product mutant
 * is recorded in the module README). Every state this scenario can reach, the checkpoint's included, has the same
 * total, so {@link OpacityLincheckTest.Spec} still holds.
 */
public class OpacityDuringRollbackTest extends OpacityLincheckTest {

    /** Taken before any transfer, with the group empty of writes: the state every rollback returns to. */
    private final Checkpoint start = group.checkpoint();

    @Operation
    public void rollbackToStart() {
        group.rollback(start);
    }

    /** A transfer after the checkpoint, then a rollback racing an audit (and another transfer). */
    @Override
    protected List<Scenario> customScenarios() {
        return List.of(
                after(List.of(call("transfer", 0, 1, 1)),
                        thread(call("rollbackToStart")),
                        thread(call("audit")),
                        thread(call("transfer", 1, 2, 2))),
                after(List.of(call("transfer", 2, 0, 3)),
                        thread(call("audit"), call("audit")),
                        thread(call("rollbackToStart"), call("transfer", 0, 1, 1))));
    }

    /**
     * A tenth of the standard interleavings of the generated scenarios: a rollback is a long run of switch points,
     * and the custom scenarios, run first, hold the race this test is for.
     */
    @Override
    protected LincheckBudget budget() {
        return LincheckBudget.standard().withWeight(LincheckBudget.STANDARD_WEIGHT / 10);
    }

    /** {@link OpacityLincheckTest.Spec} plus the rollback, which changes no total. */
    public static final class Spec {
        public void transfer(int from, int to, int amount) {
        }

        public long audit() {
            return TOTAL;
        }

        public void rollbackToStart() {
        }
    }

    @Override
    protected Class<?> sequentialSpecification() {
        return Spec.class;
    }
}
