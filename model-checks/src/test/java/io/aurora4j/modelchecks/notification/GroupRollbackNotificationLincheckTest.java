package io.aurora4j.modelchecks.notification;

import io.aurora4j.modelchecks.AbstractLincheckTest;
import io.aurora4j.notify.RollbackEvent;
import io.aurora4j.notify.RollbackListener;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;

/**
 * Rollback notification through a {@link Group} (ARCHITECTURE.md invariant 6): several threads roll the group
 * back (to a checkpoint they just took, or to the newest retained one) while others commit transfers; a
 * listener registered from the start records every event it receives. After each part of the scenario
 * ({@link #check()}), once the delivery tasks already handed to the executor have run, and again after
 * {@code notificationsDelivered()}:
 * <ul>
 *   <li>the listener received exactly the events the {@code rollback} calls returned, each once (by
 *       identity), in increasing sequence order, and the sequences are 1..(number of rollbacks) with no gap;</li>
 *   <li>it was never called while a previous call was running;</li>
 *   <li>{@code notificationsDelivered()} is complete.</li>
 * </ul>
 * The group's listener executor is chosen per configuration.
 */
public abstract class GroupRollbackNotificationLincheckTest extends AbstractLincheckTest {

    static final Throwable CAUSE = new RuntimeException("model check");

    /** Runs deliveries in the pool configuration; unused by the others. */
    protected final NotifierDeliveryLincheckTest.TaskQueue pool = new NotifierDeliveryLincheckTest.TaskQueue();
    protected final Group group;
    private final TLong a;
    private final TLong b;
    private final ConcurrentLinkedQueue<RollbackEvent> returned = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<RollbackEvent> received = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean inCall = new AtomicBoolean();
    private volatile boolean overlapped;

    protected GroupRollbackNotificationLincheckTest() {
        group = Group.builder("notify-group").notificationExecutor(executor(pool)).maintenanceExecutor(Runnable::run)
                .open();
        a = group.newLong("a", 100);
        b = group.newLong("b", 100);
        RollbackListener listener = event -> {
            if (!inCall.compareAndSet(false, true)) {
                overlapped = true;
            }
            received.add(event);
            inCall.set(false);
        };
        group.onRollback(listener);
    }

    /** The listener executor. Called from the constructor: must not use the subclass's fields. */
    protected abstract Executor executor(NotifierDeliveryLincheckTest.TaskQueue pool);

    @Operation
    public void transfer() {
        group.atomic(() -> {
            a.add(-1);
            b.add(1);
        });
    }

    @Operation
    public void checkpointThenRollback() {
        Checkpoint cp = group.checkpoint();
        try {
            returned.add(group.rollback(cp, CAUSE));
        } catch (IllegalStateException discarded) {
            // a concurrent rollback to an older checkpoint discarded it first
        }
    }

    @Operation
    public void rollbackToNewest() {
        List<Checkpoint> history = group.history();
        if (history.isEmpty()) {
            return;
        }
        try {
            returned.add(group.rollback(history.get(history.size() - 1), CAUSE));
        } catch (IllegalStateException discarded) {
            // discarded between history() and rollback()
        }
    }

    /** Two rollbacks racing with a transfer. */
    @Override
    protected List<Scenario> customScenarios() {
        return List.of(parallel(
                thread(call("checkpointThenRollback")),
                thread(call("rollbackToNewest")),
                thread(call("transfer"), call("checkpointThenRollback"))));
    }

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

        static void check(GroupRollbackNotificationLincheckTest t) {
            t.pool.runAll();
            // Checked before notificationsDelivered(), which would schedule (and so hide) a stranded event.
            checkReceived(t);
            var delivered = t.group.notificationsDelivered();
            t.pool.runAll();
            if (!delivered.isDone()) {
                throw new AssertionError("notificationsDelivered() did not complete after every delivery ran");
            }
            checkReceived(t);
        }

        private static void checkReceived(GroupRollbackNotificationLincheckTest t) {
            if (t.overlapped) {
                throw new AssertionError("the listener was called while its previous call was still running");
            }
            List<RollbackEvent> got = new ArrayList<>(t.received);
            Set<RollbackEvent> returnedSet = Collections.newSetFromMap(new IdentityHashMap<>());
            returnedSet.addAll(t.returned);
            Set<RollbackEvent> gotSet = Collections.newSetFromMap(new IdentityHashMap<>());
            gotSet.addAll(got);
            if (gotSet.size() != got.size() || !gotSet.equals(returnedSet)) {
                throw new AssertionError("the listener received " + sequences(got) + " but the rollbacks returned "
                        + sequences(new ArrayList<>(t.returned)) + " (each must arrive exactly once)");
            }
            for (int i = 0; i < got.size(); i++) {
                if (got.get(i).sequence() != i + 1) {
                    throw new AssertionError("the listener received sequences " + sequences(got)
                            + "; expected 1.." + got.size() + " in order");
                }
            }
            if (t.group.stats().rollbacks() != got.size()) {
                throw new AssertionError("the group counts " + t.group.stats().rollbacks() + " rollbacks but the "
                        + "listener received " + got.size() + " events");
            }
        }

        private static List<Long> sequences(List<RollbackEvent> events) {
            List<Long> s = new ArrayList<>();
            for (RollbackEvent e : events) {
                s.add(e.sequence());
            }
            return s;
        }
    }
}
