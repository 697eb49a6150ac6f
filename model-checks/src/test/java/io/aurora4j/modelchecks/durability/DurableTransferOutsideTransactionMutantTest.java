package io.aurora4j.modelchecks.durability;

import io.aurora4j.txn.Group;
import java.time.Duration;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * Mutant: transfers as two separate transactions, so a durable checkpoint can fall between the debit and the
 * credit. The model checker must find a stored state that does not add up.
 */
public class DurableTransferOutsideTransactionMutantTest extends DurableTransfersLincheckTest {

    public DurableTransferOutsideTransactionMutantTest() {
        super(store -> Group.builder("durable-mutant").store(store).checkpointEvery(Duration.ZERO).maintenanceExecutor(Runnable::run));
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
