package io.aurora4j.modelchecks.atomicity;

import io.aurora4j.txn.TLong;
import org.jetbrains.lincheck.datastructures.Operation;

/**
 * Mutant: the audit reads each account as its own transaction, which is what a body sees when reads are
 * not validated against one snapshot. The model checker must find a torn total.
 */
public class OpacityUnvalidatedReadsMutantTest extends OpacityLincheckTest {

    @Override
    @Operation
    public long audit() {
        long s = 0;
        for (TLong a : accounts) {
            s += a.get();
        }
        return s != TOTAL ? -1 : s;
    }

    @Override
    protected boolean expectViolation() {
        return true;
    }
}
