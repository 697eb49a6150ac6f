package io.aurora4j.modelchecks.retry;

import io.aurora4j.txn.Group;
import org.jetbrains.lincheck.datastructures.Operation;

/**
 * Mutant: {@code poll} as an orElse that does not discard its first alternative's writes: the first alternative's
 * write of {@link #JUNK} into the empty slot stays when it falls back to 0. Lincheck must find a result no serial order
 * of the slot explains (a later poll returns the junk, or an offer finds the slot full).
 */
public class RetrySlotOrElseKeepsFirstWritesMutantTest extends RetrySlotLincheckTest {

    public RetrySlotOrElseKeepsFirstWritesMutantTest() {
        super(Group.builder("retry-slot-mutant").maintenanceExecutor(Runnable::run).open());
    }

    @Override
    @Operation
    public long poll() {
        return group.atomic(() -> {
            long x = slot.get();
            slot.set(x == 0 ? JUNK : 0); // kept, as if the retry of an empty slot did not undo it
            return x; // 0 when empty, as the fallback alternative returns
        });
    }

    @Override
    protected boolean expectViolation() {
        return true;
    }
}
