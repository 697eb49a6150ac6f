package io.aurora4j.boundary;

import io.aurora4j.txn.Group;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * Output release through an {@code EXTERNAL} boundary (ARCHITECTURE.md invariant 5): delivered iff committed, in
 * order, at most once, and never stranded.
 *
 * <p>The producer commits a transaction that sends {@code 1}, runs one that sends {@code 9} and then throws
 * (rolled back: 9 must never be delivered), and commits one that sends {@code 2}. The real hand-off is
 * exercised: the commit sink offers the transaction's entry to the boundary's JCTools MPSC queue under the
 * commit's locks, the after-commit hook {@code signal()}s (a volatile read and a CAS of the boundary's state
 * from IDLE to SCHEDULED) and hands the release task to the executor. The executor here only queues tasks;
 * the releaser actor runs them while the producer goes on, so the release task polls the MPSC queue
 * concurrently with the producer's offers and its end ({@code state = IDLE}, then a look at the queue: the
 * Dekker pair with the sender's offer-then-read-state) races with the next commit's signal.
 *
 * <p>Results: r1 = what had been delivered when the releaser's tasks ran out, r2 = what had been delivered
 * once the arbiter ran the tasks still queued (it never signals by itself, so an output that no task was
 * scheduled for stays undelivered). Deliveries are written as digits in order: 12 means 1 then 2; 0 means
 * none.
 */
@JCStressTest
@Description("Two committed outputs and one rolled back, released by a concurrent release task")
@Outcome(id = "0, 12", expect = ACCEPTABLE, desc = "the releaser ran before the commits; the rest went later")
@Outcome(id = "1, 12", expect = ACCEPTABLE_INTERESTING, desc = "the releaser delivered the first output only")
@Outcome(id = "12, 12", expect = ACCEPTABLE, desc = "the releaser delivered both")
@Outcome(id = ".*9.*", expect = FORBIDDEN, desc = "an output of a rolled-back transaction was delivered")
@Outcome(id = "[0-9]+, (0|1)", expect = FORBIDDEN, desc = "an output was stranded: committed, never delivered")
@Outcome(expect = FORBIDDEN, desc = "out of order, duplicated, or a delivery the releaser saw vanished")
@State
public class BoundaryReleaseTest {
    private static final AtomicLong IDS = new AtomicLong();

    private final Group group = Group.builder("jcstress-boundary-" + IDS.incrementAndGet()).open();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Written by release tasks only: one at a time, each happens-after the previous (the boundary's promise). */
    private int delivered;
    private final Boundary<Integer> out = Boundary.<Integer>builder(group, "out")
            .sink(Sink.of((Integer x) -> delivered = delivered * 10 + x))
            .releaseExecutor(tasks::add)
            .open();

    @Actor
    public void producer() {
        group.atomic(() -> out.send(1));
        try {
            group.atomic(() -> {
                out.send(9);
                throw new IllegalStateException("rolled back");
            });
        } catch (IllegalStateException expected) {
            // the transaction rolled back: its output is dropped
        }
        group.atomic(() -> out.send(2));
    }

    @Actor
    public void releaser(II_Result r) {
        runQueuedTasks();
        r.r1 = delivered;
    }

    @Arbiter
    public void arbiter(II_Result r) {
        runQueuedTasks();
        r.r2 = delivered;
    }

    private void runQueuedTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }
}
