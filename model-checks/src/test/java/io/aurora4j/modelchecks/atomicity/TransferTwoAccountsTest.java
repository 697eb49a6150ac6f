package io.aurora4j.modelchecks.atomicity;

import io.aurora4j.txn.Group;

/** Two accounts, so that most transfers of a scenario contend on the same pair. */
public class TransferTwoAccountsTest extends TransferLincheckTest {

    public TransferTwoAccountsTest() {
        super(Group.inMemory("transfer-2"), 2);
    }

    @Override
    protected Class<?> sequentialSpecification() {
        return Spec2.class;
    }

    public static final class Spec2 extends Spec {
        public Spec2() {
            super(2);
        }
    }
}
