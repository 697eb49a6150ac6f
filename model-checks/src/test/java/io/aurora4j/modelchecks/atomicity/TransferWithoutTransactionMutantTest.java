package io.aurora4j.modelchecks.atomicity;

import io.aurora4j.txn.Group;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * Mutant: the transfer is two separate transactions (debit, then credit), which is what a group whose
 * {@code atomic} did not hold its writes together would do. The model checker must find a {@code sum()}
 * between the two halves, or two transfers losing an update.
 */
public class TransferWithoutTransactionMutantTest extends TransferLincheckTest {

    public TransferWithoutTransactionMutantTest() {
        super(Group.inMemory("transfer-mutant"), 2);
    }

    @Override
    @Operation
    public void transfer(@Param(name = "account") int from, @Param(name = "account") int to,
                         @Param(name = "amount") int amount) {
        accounts[from % accounts.length].set(accounts[from % accounts.length].get() - amount);
        accounts[to % accounts.length].set(accounts[to % accounts.length].get() + amount);
    }

    @Override
    protected Class<?> sequentialSpecification() {
        return TransferTwoAccountsTest.Spec2.class;
    }

    @Override
    protected boolean expectViolation() {
        return true;
    }
}
