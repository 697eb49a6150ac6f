package io.aurora4j.modelchecks.boundary;

import io.aurora4j.boundary.Boundary;
import io.aurora4j.boundary.Sink;
import io.aurora4j.modelchecks.AbstractLincheckTest;
import io.aurora4j.modelchecks.LincheckBudget;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;

/**
 * External consistency under concurrency (ARCHITECTURE.md invariant 5): senders inside committing, failing and
 * read-only transactions and outside any transaction, group rollbacks and releases, all at once. Every
 * output is sent after the group's only checkpoint, so the sequential specification ({@link Spec}) is a
 * FIFO list of held outputs:
 * <ul>
 *   <li>a committed send appends its outputs (a transaction's outputs together, in the order it sent
 *       them); a send outside a transaction appends; a send in a transaction that throws appends nothing;</li>
 *   <li>{@code rollback()} discards everything held and returns how many ({@code RollbackEvent.discardedOutputs()});</li>
 *   <li>{@code release()} delivers everything held, in order, and returns it.</li>
 * </ul>
 * So Lincheck checks, over every interleaving it explores, that nothing of rolled-back work is delivered
 * (an aborted send or a discarded output showing up in a {@code release()}), that order holds, that nothing
 * is lost (a rollback's count must match what it discarded, and a final {@code release()} must return the
 * rest), and that nothing is delivered twice.
 *
 * <p>The release task runs on a manual executor: {@code release()} runs the task queued by the boundary, if
 * any, on the calling thread, so the model checker controls it and the interleavings of a release with
 * sends and rollbacks are explored. The boundary keeps at most one task queued or running, and
 * {@code release()} operations are in one non-parallel group (one thread), so a task is only ever run by the
 * next {@code release()}; a {@code release()} that finds no task waits until one is queued or no other
 * operation is running (see the comment there).
 */
@Param(name = "value", gen = IntGen.class, conf = "1:9")
public abstract class BoundaryLincheckTest extends AbstractLincheckTest {

    static final Throwable CAUSE = new RuntimeException("model check");

    /** The release executor: tasks wait here for {@code release()}. */
    protected final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    protected final Group group = Group.builder("boundary").maintenanceExecutor(Runnable::run)
            .notificationExecutor(Runnable::run).open();
    private final TLong x = group.newLong("x", 0);
    private final Checkpoint start = group.checkpoint("start");
    private final ThreadLocal<List<Integer>> collecting = new ThreadLocal<>();
    /** Operations other than {@code release()} that have started and not returned. */
    private final AtomicInteger running = new AtomicInteger();
    protected final Boundary<Integer> boundary;

    protected BoundaryLincheckTest() {
        Executor manual = tasks::add;
        boundary = open(group, Sink.of((Integer v) -> collecting.get().add(v)), manual);
    }

    /** The boundary under test. Called from the constructor: must not use the subclass's fields. */
    protected abstract Boundary<Integer> open(Group g, Sink<Integer> sink, Executor releaseExecutor);

    /** A transaction that writes and sends one output. */
    @Operation
    public void sendCommitted(@Param(name = "value") int v) {
        running.incrementAndGet();
        group.atomic(() -> {
            x.add(1);
            boundary.send(v);
        });
        running.decrementAndGet();
    }

    /** A read-only transaction (it does not conflict with another one) that sends two outputs. */
    @Operation
    public void sendTwoReadOnly(@Param(name = "value") int v) {
        running.incrementAndGet();
        group.atomic(() -> {
            boundary.send(v);
            boundary.send(v + 10);
        });
        running.decrementAndGet();
    }

    /** A transaction that sends and then throws: its output must never leave. */
    @Operation
    public void sendAborted(@Param(name = "value") int v) {
        running.incrementAndGet();
        try {
            group.atomic(() -> {
                boundary.send(-v);
                throw new IllegalStateException("abort");
            });
        } catch (IllegalStateException expected) {
            // rolled back
        }
        running.decrementAndGet();
    }

    @Operation
    public void sendOutside(@Param(name = "value") int v) {
        running.incrementAndGet();
        boundary.send(v + 100);
        running.decrementAndGet();
    }

    /** Rolls the group back to the start; returns the number of outputs the rollback discarded. */
    @Operation
    public long rollback() {
        running.incrementAndGet();
        long discarded = group.rollback(start, CAUSE).discardedOutputs();
        running.decrementAndGet();
        return discarded;
    }

    /** Runs the release task the boundary queued, if any, on this thread; returns what it delivered. */
    @Operation(nonParallelGroup = "release")
    public List<Integer> release() {
        List<Integer> delivered = new ArrayList<>();
        Runnable task;
        // A send that found a task already scheduled returns before the sender that scheduled it has handed
        // the task to the executor (between its state CAS and execute): wait for that hand-off, or for every
        // running operation to return, so that "no task" means "nothing released is waiting". The count is read
        // *before* each poll: a sender hands its task over before it stops counting, so a poll after a count of
        // zero sees every task handed over. Read after the poll (as this harness did), a sender could hand over
        // and stop counting between the two, and release() returned nothing with a task waiting: the stress
        // runner's "release(): [] after this thread's own send", CI of session 7, a harness race.
        for (;;) {
            boolean nothingRunning = running.get() == 0;
            task = tasks.poll();
            if (task != null || nothingRunning) {
                break;
            }
            Thread.onSpinWait();
        }
        if (task != null) {
            collecting.set(delivered);
            try {
                task.run();
            } finally {
                collecting.remove();
            }
        }
        return delivered;
    }

    /** The sequential specification of an EXTERNAL boundary whose outputs all come after the checkpoint. */
    public static class Spec {
        protected final List<Integer> held = new ArrayList<>();

        public void sendCommitted(int v) {
            held.add(v);
        }

        public void sendTwoReadOnly(int v) {
            held.add(v);
            held.add(v + 10);
        }

        public void sendAborted(int v) {
        }

        public void sendOutside(int v) {
            held.add(v + 100);
        }

        public long rollback() {
            long n = held.size();
            held.clear();
            return n;
        }

        public List<Integer> release() {
            List<Integer> out = new ArrayList<>(held);
            held.clear();
            return out;
        }
    }

    @Override
    protected Class<?> sequentialSpecification() {
        return Spec.class;
    }

    /**
     * 3 threads (one of them does the releases) × 2 operations, 1 after, at the standard weight. (It ran at 0.1, a
     * tenth of the default interleavings, set before the standard weight went down to 0.035: about three times every
     * other test's exploration and 113 s of CI for ExternalBoundaryTest's model check; its mutant is found in the
     * first few scenarios either way.) Stress runs are not scaled.
     */
    @Override
    protected LincheckBudget budget() {
        return new LincheckBudget(3, 2, 0, 1, LincheckBudget.STANDARD_WEIGHT);
    }

    /**
     * Publishing the rollback event (no listener is registered) is not analysed: it happens after the state is
     * restored and the gates are open, and touches nothing a boundary reads.
     */
    @Override
    protected ModelCheckingOptions tune(ModelCheckingOptions options) {
        return options.addGuarantee(ManagedStrategyGuaranteeKt.forClasses("io.aurora4j.notify.RollbackNotifier",
                "io.aurora4j.notify.RollbackEvent", "io.aurora4j.notify.RollbackEvent$Builder").allMethods().ignore());
    }
}
