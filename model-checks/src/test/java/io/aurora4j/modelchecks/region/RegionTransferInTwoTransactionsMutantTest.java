package io.aurora4j.modelchecks.region;

import io.aurora4j.txn.Group;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * Mutant: a transfer as two transactions (debit, then credit), as code that forgot to put both writes in one
 * scope would be. A concurrent {@code both}, {@code get}, checkpoint or fork can see the money missing; the
 * model checker must find it, which shows that the operations and the specification can see a torn transfer.
 */
public class RegionTransferInTwoTransactionsMutantTest extends RegionAccountsLincheckTest {

    public RegionTransferInTwoTransactionsMutantTest() {
        super(Group.builder("region-mutant").maintenanceExecutor(Runnable::run).open());
    }

    @Override
    @Operation
    public long transfer(@Param(name = "i") int i, @Param(name = "amount") int amount) {
        long from = group.atomic(() -> {
            long v = region.getLong(OFFSETS[i]) - amount;
            region.putLong(OFFSETS[i], v);
            return v;
        });
        group.atomic(() -> region.putLong(OFFSETS[1 - i], region.getLong(OFFSETS[1 - i]) + amount));
        return from;
    }

    @Override
    protected boolean expectViolation() {
        return true;
    }
}
