package io.aurora4j.modelchecks.extension;

import io.aurora4j.txn.spi.TxnSpi;

/**
 * Mutant: the extension found by a look-up and, when absent, created and then put, in two steps, as a
 * registry without an atomic get-or-create would do. Two threads that both find nothing both run the creator
 * (a second rollback participant, in production); one of them may even get the instance it did not create.
 * The model checker must find it.
 */
public class GroupExtensionGetThenPutMutantTest extends GroupExtensionLincheckTest {

    @Override
    protected Ext obtain() {
        Ext existing = TxnSpi.existingExtension(group, key);
        if (existing != null) {
            return existing;
        }
        Ext made = new Ext(created.incrementAndGet());
        return TxnSpi.extension(group, key, g -> made); // the put: only one of the racers' instances is kept
    }

    @Override
    protected boolean expectViolation() {
        return true;
    }
}
