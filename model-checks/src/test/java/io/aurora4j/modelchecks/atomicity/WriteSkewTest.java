package io.aurora4j.modelchecks.atomicity;

import io.aurora4j.modelchecks.LincheckBudget;
import io.aurora4j.txn.Group;

/** Write skew against the group as it ships. */
public class WriteSkewTest extends WriteSkewLincheckTest {

    public WriteSkewTest() {
        super(Group.inMemory("write-skew"));
    }

    /**
     * A quarter of the standard interleavings: the custom scenario (both withdrawals at once) holds the race, and the
     * model checker finds a commit that skips validation there within its first invocations (75 s for both runners at
     * the standard weight in CI).
     */
    @Override
    protected LincheckBudget budget() {
        return LincheckBudget.standard().withWeight(LincheckBudget.STANDARD_WEIGHT / 4);
    }
}
