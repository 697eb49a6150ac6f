package io.aurora4j.modelchecks.atomicity;

import io.aurora4j.txn.Group;

/** Three accounts: transfers on overlapping pairs (0→1 against 1→2), where a partial write-set lock shows. */
public class TransferThreeAccountsTest extends TransferLincheckTest {

    public TransferThreeAccountsTest() {
        super(Group.inMemory("transfer-3"), 3);
    }

    @Override
    protected Class<?> sequentialSpecification() {
        return Spec3.class;
    }

    public static final class Spec3 extends Spec {
        public Spec3() {
            super(3);
        }
    }
}
