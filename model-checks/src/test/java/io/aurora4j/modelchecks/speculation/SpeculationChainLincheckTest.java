package io.aurora4j.modelchecks.speculation;

import io.aurora4j.boundary.Boundary;
import io.aurora4j.boundary.Sink;
import io.aurora4j.modelchecks.AbstractLincheckTest;
import io.aurora4j.modelchecks.LincheckBudget;
import io.aurora4j.speculation.Speculation;
import io.aurora4j.speculation.SpeculationRolledBackException;
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
 * A chain of three pending speculations ({@code 0 < 1 < 2}, begun in that order), each of which wrote the
 * group state and sent one output through an EXTERNAL boundary after it began; threads confirm and fail them
 * in any order while one thread releases outputs. The sequential specification ({@link Spec}) is the chain
 * rule of the speculation module:
 * <ul>
 *   <li>{@code confirm(i)}: {@code false} if {@code i} is rolled back; else it is confirmed as soon as every
 *       earlier one is (confirmation requested until then); {@code true};</li>
 *   <li>{@code fail(i)}: {@code false} if {@code i} was confirmed (or its confirmation requested) or rolled
 *       back — the first of confirm and fail wins; else {@code i} and every later one are rolled back;</li>
 *   <li>{@code release()}: delivers, in chain order, the outputs of the confirmed prefix not yet delivered;
 *       the output of a rolled-back speculation is never delivered;</li>
 *   <li>{@code speculativeWrite(i)}: speculative work of {@code i} writing through {@code i.atomic}: refused
 *       ({@code false}) once {@code i} is rolled back; a write that committed is undone by any later rollback
 *       (it came after every checkpoint);</li>
 *   <li>{@code value()}: the group state — the number of speculations not rolled back (each added one) plus
 *       the speculative writes that survived.</li>
 * </ul>
 * So Lincheck checks confirm/fail races (exactly one wins), chains confirmed or failed out of order (a
 * failure fails every later one, confirmed or not), cancellation of speculative work (no write of a
 * rolled-back speculation lands), and release of held outputs in order (nothing released
 * before every earlier speculation is confirmed, nothing of a failed one ever).
 *
 * <p>The release task runs on a manual executor, as in {@code BoundaryLincheckTest}: {@code release()} runs
 * the task the boundary queued, if any, on the calling thread.
 */
@Param(name = "i", gen = IntGen.class, conf = "0:2")
public abstract class SpeculationChainLincheckTest extends AbstractLincheckTest {

    static final Throwable CAUSE = new RuntimeException("model check: misprediction");

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    protected final Group group = Group.builder("speculation").maintenanceExecutor(Runnable::run)
            .notificationExecutor(Runnable::run).open();
    private final TLong x = group.newLong("x", 0);
    private final ThreadLocal<List<Integer>> collecting = new ThreadLocal<>();
    private final AtomicInteger running = new AtomicInteger();
    protected final Speculation[] chain = new Speculation[3];

    protected SpeculationChainLincheckTest() {
        Executor manual = tasks::add;
        Boundary<Integer> out = Boundary.<Integer>builder(group, "out")
                .sink(Sink.of((Integer v) -> collecting.get().add(v))).releaseExecutor(manual).open();
        for (int i = 0; i < chain.length; i++) {
            chain[i] = Speculation.begin(group);
            int id = i;
            chain[i].atomic(() -> {
                x.add(1);
                out.send(id);
            });
        }
    }

    @Operation
    public boolean confirm(@Param(name = "i") int i) {
        running.incrementAndGet();
        boolean r = chain[i].confirm();
        running.decrementAndGet();
        return r;
    }

    @Operation
    public boolean fail(@Param(name = "i") int i) {
        running.incrementAndGet();
        boolean r = chain[i].fail(CAUSE);
        running.decrementAndGet();
        return r;
    }

    /**
     * Speculative work of speculation {@code i} writing the group: {@code false} if it was refused because
     * {@code i} is rolled back (cancellation: its next access throws), {@code true} if it committed.
     */
    @Operation
    public boolean speculativeWrite(@Param(name = "i") int i) {
        running.incrementAndGet();
        try {
            write(i);
            return true;
        } catch (SpeculationRolledBackException cancelled) {
            return false;
        } finally {
            running.decrementAndGet();
        }
    }

    /** How speculative work of {@code i} writes: through the speculation, so a rolled-back one is refused. */
    protected void write(int i) {
        chain[i].atomic(() -> x.add(1));
    }

    /** The group state: one per speculation whose work survived, plus the speculative writes that survived. */
    @Operation
    public long value() {
        return x.get();
    }

    /** Runs the release task the boundary queued, if any, on this thread; returns what it delivered. */
    @Operation(nonParallelGroup = "release")
    public List<Integer> release() {
        List<Integer> delivered = new ArrayList<>();
        Runnable task;
        // Wait for a queued task or for every other operation to return: "no task" then means nothing waits.
        while ((task = tasks.poll()) == null && running.get() > 0) {
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

    /** The chain rule, sequentially. */
    public static class Spec {
        private static final int PENDING = 0, REQUESTED = 1, CONFIRMED = 2, ROLLED_BACK = 3;
        private final int[] state = new int[3];
        private final boolean[] delivered = new boolean[3];
        /** Writes since the last rollback: each came after every checkpoint, so any rollback undoes them. */
        private long writes;

        public boolean confirm(int i) {
            if (state[i] == ROLLED_BACK) {
                return false;
            }
            if (state[i] == PENDING) {
                state[i] = REQUESTED;
            }
            for (int j = 0; j < 3 && state[j] != PENDING && state[j] != ROLLED_BACK; j++) {
                state[j] = CONFIRMED;
            }
            return true;
        }

        public boolean fail(int i) {
            if (state[i] != PENDING) {
                return false;
            }
            for (int j = i; j < 3; j++) {
                state[j] = ROLLED_BACK;
            }
            writes = 0;
            return true;
        }

        public boolean speculativeWrite(int i) {
            if (state[i] == ROLLED_BACK) {
                return false;
            }
            writes++;
            return true;
        }

        public long value() {
            long n = writes;
            for (int s : state) {
                if (s != ROLLED_BACK) {
                    n++;
                }
            }
            return n;
        }

        public List<Integer> release() {
            List<Integer> out = new ArrayList<>();
            for (int j = 0; j < 3 && state[j] == CONFIRMED; j++) {
                if (!delivered[j]) {
                    delivered[j] = true;
                    out.add(j);
                }
            }
            return out;
        }
    }

    @Override
    protected Class<?> sequentialSpecification() {
        return Spec.class;
    }

    @Override
    protected LincheckBudget budget() {
        return new LincheckBudget(3, 2, 0, 1, 0.05);
    }

    /**
     * Not analysed: publishing the group's rollback event (after state is restored and the gates are open;
     * no listener reads what the chain checks) and starting the handler thread (no handler is registered).
     */
    @Override
    protected ModelCheckingOptions tune(ModelCheckingOptions options) {
        return options.addGuarantee(ManagedStrategyGuaranteeKt.forClasses("io.aurora4j.notify.RollbackNotifier",
                "io.aurora4j.notify.RollbackEvent", "io.aurora4j.notify.RollbackEvent$Builder").allMethods().ignore());
    }
}
