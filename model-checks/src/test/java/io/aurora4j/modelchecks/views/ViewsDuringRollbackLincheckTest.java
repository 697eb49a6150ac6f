package io.aurora4j.modelchecks.views;

import io.aurora4j.modelchecks.AbstractLincheckTest;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.CheckpointView;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import java.util.List;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * Checkpoint views read while a rollback discards their checkpoint (issue #10, item 8; txn-core README,
 * "Views versus rollback"). The group starts with a checkpoint {@code base} of three accounts holding 100
 * each and a {@code marker} of 0; then 1 moves from account 0 to account 1, {@code marker} becomes 1, and a
 * checkpoint {@code later} is taken. Threads transfer (the total stays 300), roll back to {@code base}
 * (discarding {@code later} and every newer checkpoint), take new checkpoints, and read:
 * <ul>
 *   <li>{@code viewSum}: the three balances through the view of the newest checkpoint taken. The view must
 *       either return that checkpoint's values (total 300) or throw {@link IllegalStateException} once the
 *       checkpoint is discarded; a mix of the checkpoint's values and values a rollback restored (e.g.
 *       {@code 99 + 100 + 100}) is a torn read, which the specification rejects;</li>
 *   <li>{@code restoredWhileRetained}: reads {@code marker} and then {@code later.isRetained()}; seeing the
 *       restored 0 while {@code later} still reads retained breaks "a checkpoint is discarded before any
 *       restored value is visible".</li>
 * </ul>
 */
@Param(name = "account", gen = IntGen.class, conf = "0:2")
@Param(name = "amount", gen = IntGen.class, conf = "1:3")
public abstract class ViewsDuringRollbackLincheckTest extends AbstractLincheckTest {

    static final int ACCOUNTS = 3;
    static final long INITIAL = 100;
    static final long TOTAL = ACCOUNTS * INITIAL;
    static final Throwable CAUSE = new RuntimeException("model check");

    protected final Group group;
    protected final TLong[] accounts = new TLong[ACCOUNTS];
    protected final TLong marker;
    protected final Checkpoint base;
    protected final Checkpoint later;
    /** The checkpoint {@code viewSum} reads: {@code later}, then each one {@code checkpoint()} takes. */
    protected volatile Checkpoint newest;

    protected ViewsDuringRollbackLincheckTest(Group group) {
        this.group = group;
        for (int i = 0; i < ACCOUNTS; i++) {
            accounts[i] = group.newLong("acct-" + i, INITIAL);
        }
        marker = group.newLong("marker", 0);
        base = group.checkpoint("base");
        group.atomic(() -> {
            accounts[0].add(-1);
            accounts[1].add(1);
            marker.set(1);
        });
        later = group.checkpoint("later");
        newest = later;
    }

    @Operation
    public void transfer(@Param(name = "account") int from, @Param(name = "account") int to,
                         @Param(name = "amount") int amount) {
        group.atomic(() -> {
            accounts[from].add(-amount);
            accounts[to].add(amount);
        });
    }

    /** Rolls back to {@code base}: every later checkpoint, {@code later} included, is discarded. */
    @Operation
    public void rollbackToBase() {
        group.rollback(base, CAUSE); // base is never discarded: nothing rolls back before it, retention is 64
    }

    @Operation
    public void checkpoint() {
        newest = group.checkpoint();
    }

    /**
     * The total of the newest checkpoint's view; a view that throws because a rollback discarded its
     * checkpoint during the read counts as the checkpoint's total, provided the checkpoint then reads discarded.
     */
    @Operation
    public long viewSum() {
        Checkpoint cp = newest;
        try {
            return sum(cp.view());
        } catch (IllegalStateException discarded) {
            if (cp.isRetained()) {
                throw new AssertionError("the view of " + cp + " threw although it is retained", discarded);
            }
            return TOTAL;
        }
    }

    /** Reads the balances through {@code view}; a mutant overrides it. */
    protected long sum(CheckpointView view) {
        long s = 0;
        for (TLong a : accounts) {
            s += view.get(a);
        }
        return s;
    }

    /** True if a value a rollback restored is visible while the checkpoint it discards still reads retained. */
    @Operation
    public boolean restoredWhileRetained() {
        long m = marker.get();
        return m == 0 && later.isRetained();
    }

    /** A rollback cutting through a view's reads, with a transfer and an observer of the discard. */
    @Override
    protected List<Scenario> customScenarios() {
        return List.of(
                parallel(
                        thread(call("viewSum"), call("viewSum")),
                        thread(call("rollbackToBase")),
                        thread(call("restoredWhileRetained"), call("transfer", 0, 2, 3))),
                parallel(
                        thread(call("checkpoint"), call("viewSum")),
                        thread(call("transfer", 1, 0, 2), call("rollbackToBase")),
                        thread(call("viewSum"))));
    }

    /** The sequential specification: every view adds up, and no restored value shows while its discard does not. */
    public static final class Spec {
        public void transfer(int from, int to, int amount) {
        }

        public void rollbackToBase() {
        }

        public void checkpoint() {
        }

        public long viewSum() {
            return TOTAL;
        }

        public boolean restoredWhileRetained() {
            return false;
        }
    }

    @Override
    protected Class<?> sequentialSpecification() {
        return Spec.class;
    }
}
