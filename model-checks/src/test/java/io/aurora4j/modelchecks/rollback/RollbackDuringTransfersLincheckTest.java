package io.aurora4j.modelchecks.rollback;

import io.aurora4j.modelchecks.AbstractLincheckTest;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import java.util.List;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;

/**
 * Checkpoints and rollbacks concurrent with transactions (ARCHITECTURE.md invariants 1, 3 and 4): transfers
 * keep the total of three accounts constant, so every state a checkpoint captures and every state a
 * rollback restores must have that total, and a transfer is never half undone or half applied. Threads
 * transfer, take checkpoints, roll back to a checkpoint they just took (undoing whatever committed in
 * between) or to the newest retained one, and read the total in a transaction. Checked:
 * <ul>
 *   <li>{@code sum()} and the total read right after a rollback are always the constant total ({@link Spec});</li>
 *   <li>after each part of the scenario ({@link #check()}): the current balances, and the balances seen
 *       through the view of <em>every</em> retained checkpoint, add up to the total (each checkpoint is a
 *       consistent cut), and history is ordered by id.</li>
 * </ul>
 * Rollback aborts transactions in flight and re-runs them, so a transfer never fails; a rollback to the
 * newest checkpoint may find it discarded by a concurrent rollback or by retention, which the group
 * reports as {@link IllegalStateException} and the operation ignores.
 */
@Param(name = "account", gen = IntGen.class, conf = "0:2")
@Param(name = "amount", gen = IntGen.class, conf = "1:3")
public abstract class RollbackDuringTransfersLincheckTest extends AbstractLincheckTest {

    static final int ACCOUNTS = 3;
    static final long INITIAL = 100;
    static final long TOTAL = ACCOUNTS * INITIAL;
    /** One cause for every rollback: a throwable per rollback only costs stack walks. */
    static final Throwable CAUSE = new RuntimeException("model check");

    protected final Group group;
    protected final TLong[] accounts = new TLong[ACCOUNTS];

    protected RollbackDuringTransfersLincheckTest(Group group) {
        this.group = group;
        for (int i = 0; i < ACCOUNTS; i++) {
            accounts[i] = group.newLong("acct-" + i, INITIAL);
        }
    }

    @Operation
    public void transfer(@Param(name = "account") int from, @Param(name = "account") int to,
                         @Param(name = "amount") int amount) {
        group.atomic(() -> {
            accounts[from].set(accounts[from].get() - amount);
            accounts[to].set(accounts[to].get() + amount);
        });
    }

    @Operation
    public long sum() {
        return group.atomic(() -> {
            long s = 0;
            for (TLong a : accounts) {
                s += a.get();
            }
            return s;
        });
    }

    /** Takes a checkpoint and rolls back to it, undoing what committed in between; returns the total after. */
    @Operation
    public long checkpointThenRollback() {
        Checkpoint cp = group.checkpoint();
        try {
            group.rollback(cp, CAUSE);
        } catch (IllegalStateException discarded) {
            // a concurrent rollback to an older checkpoint, or retention, discarded it first
        }
        return sum();
    }

    @Operation
    public void checkpoint() {
        group.checkpoint();
    }

    /** Rolls back to the newest retained checkpoint, if there is one. */
    @Operation
    public void rollbackToNewest() {
        List<Checkpoint> history = group.history();
        if (history.isEmpty()) {
            return;
        }
        try {
            group.rollback(history.get(history.size() - 1), CAUSE);
        } catch (IllegalStateException discarded) {
            // discarded between history() and rollback(): by a concurrent rollback or by retention
        }
    }

    /** Consistent cuts, checked after each part of the scenario; see the class comment. */
    @Validate
    public void check() {
        Audit.check(this);
    }

    @Override
    protected ModelCheckingOptions tune(ModelCheckingOptions options) {
        // The audit runs while no other thread is active: nothing to interleave, so do not analyse it.
        return options.addGuarantee(ManagedStrategyGuaranteeKt.forClasses(Audit.class.getName()).allMethods().ignore());
    }

    private static final class Audit {
        private Audit() {
        }

        static void check(RollbackDuringTransfersLincheckTest t) {
            long now = 0;
            for (TLong a : t.accounts) {
                now += a.get();
            }
            if (now != TOTAL) {
                throw new AssertionError("the balances add up to " + now + ", not " + TOTAL);
            }
            long previousId = 0;
            for (Checkpoint cp : t.group.history()) {
                if (cp.id() <= previousId) {
                    throw new AssertionError("history is not ordered by id: " + t.group.history());
                }
                previousId = cp.id();
                long s = 0;
                StringBuilder values = new StringBuilder();
                for (TLong a : t.accounts) {
                    long v = cp.view().get(a);
                    s += v;
                    values.append(' ').append(v);
                }
                if (s != TOTAL) {
                    throw new AssertionError("checkpoint " + cp.id() + " is not a consistent cut: its balances" + values
                            + " add up to " + s + ", not " + TOTAL);
                }
            }
        }
    }

    /**
     * A checkpoint and rollback cutting through a transfer, with a reader; and a rollback while a transfer
     * of the checkpoint's epoch is writing back (the commit gate must make the rollback wait for it).
     */
    @Override
    protected List<Scenario> customScenarios() {
        return List.of(
                parallel(
                        thread(call("transfer", 0, 1, 1)),
                        thread(call("checkpointThenRollback")),
                        thread(call("transfer", 1, 2, 2), call("sum"))),
                after(thread(call("checkpoint"), call("transfer", 0, 1, 1)),
                        thread(call("transfer", 0, 1, 2)),
                        thread(call("rollbackToNewest")),
                        thread(call("sum"))).then(call("sum")));
    }

    /** The sequential specification: in any serial order, the total never changes. */
    public static final class Spec {
        public void transfer(int from, int to, int amount) {
        }

        public long sum() {
            return TOTAL;
        }

        public long checkpointThenRollback() {
            return TOTAL;
        }

        public void checkpoint() {
        }

        public void rollbackToNewest() {
        }
    }

    @Override
    protected Class<?> sequentialSpecification() {
        return Spec.class;
    }
}
