package io.aurora4j.modelchecks.atomicity;

import io.aurora4j.modelchecks.AbstractLincheckTest;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import java.util.List;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * Opacity (ARCHITECTURE.md invariant 2): a running transaction never observes an inconsistent snapshot, not
 * even in an attempt that is later aborted and retried. Transfers keep the total of the accounts constant;
 * {@code audit()} reads every account inside one transaction and checks the total <em>in the body</em>,
 * on every attempt. A scheme that validates reads only at commit (not opaque) lets an attempt see a
 * debit without its credit; the attempt would be retried and its final result would look right, so only
 * the in-body check catches it. {@code audit()} returns the total it committed with, or, if any attempt
 * saw a torn total, {@code -1}; {@link Spec} always returns the constant total.
 */
@Param(name = "account", gen = IntGen.class, conf = "0:2")
@Param(name = "amount", gen = IntGen.class, conf = "1:3")
public abstract class OpacityLincheckTest extends AbstractLincheckTest {

    static final int ACCOUNTS = 3;
    static final long INITIAL = 100;
    static final long TOTAL = ACCOUNTS * INITIAL;

    protected final Group group = Group.inMemory("opacity");
    protected final TLong[] accounts = new TLong[ACCOUNTS];

    {
        for (int i = 0; i < ACCOUNTS; i++) {
            accounts[i] = group.newLong("acct-" + i, INITIAL);
        }
    }

    @Operation
    public void transfer(@Param(name = "account") int from, @Param(name = "account") int to,
                         @Param(name = "amount") int amount) {
        group.atomic(() -> {
            accounts[from].add(-amount);
            accounts[to].add(amount);
        });
    }

    @Operation
    public long audit() {
        boolean[] torn = {false};
        long committed = group.atomic(() -> {
            long s = 0;
            for (TLong a : accounts) {
                s += a.get();
            }
            if (s != TOTAL) {
                torn[0] = true; // this attempt saw a state no serial order produces
            }
            return s;
        });
        return torn[0] ? -1 : committed;
    }

    /** Transfers over overlapping pairs against an audit that reads all three accounts. */
    @Override
    protected List<Scenario> customScenarios() {
        return List.of(parallel(
                thread(call("transfer", 0, 1, 1)),
                thread(call("transfer", 1, 2, 2)),
                thread(call("audit"))));
    }

    /** The sequential specification: transfers never change the total. */
    public static final class Spec {
        public void transfer(int from, int to, int amount) {
        }

        public long audit() {
            return TOTAL;
        }
    }

    @Override
    protected Class<?> sequentialSpecification() {
        return Spec.class;
    }
}
