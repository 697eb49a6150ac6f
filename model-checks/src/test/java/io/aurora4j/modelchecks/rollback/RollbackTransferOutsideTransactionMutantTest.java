package io.aurora4j.modelchecks.rollback;

import io.aurora4j.txn.Group;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * Mutant: transfers as two separate transactions, so a checkpoint can cut between the debit and the credit,
 * as it could if commits were not all on one side of the cut. The model checker must find a checkpoint
 * whose view does not add up (or a torn sum).
 */
public class RollbackTransferOutsideTransactionMutantTest extends RollbackDuringTransfersLincheckTest {

    public RollbackTransferOutsideTransactionMutantTest() {
        super(Group.builder("rollback-mutant").maintenanceExecutor(Runnable::run).open());
    }

    @Override
    @Operation
    public void transfer(@Param(name = "account") int from, @Param(name = "account") int to,
                         @Param(name = "amount") int amount) {
        accounts[from].add(-amount);
        accounts[to].add(amount);
    }

    @Override
    protected boolean expectViolation() {
        return true;
    }
}
