package io.aurora4j.jcstress.teeth;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A double of the boundary's "never stranded" pair, with the release task's half weakened to release/acquire.
 * The sender offers its output (the real queue's offer is a CAS on the producer index) and then reads the
 * boundary's state: SCHEDULED means a task will pick the output up, so it does not signal. The release task,
 * finishing, stores IDLE (the real code: {@code STATE.setVolatile}) and then looks at the queue (here an acquire
 * load of the producer index; the real {@code hasWork()} reads the queue). If the sender read SCHEDULED and the
 * task found the queue empty, nobody schedules a task for the output. The real-class break (the same
 * {@code setRelease} in a copy of {@code Boundary}) did not show in {@code BoundaryReleaseTest}, whose producer
 * reaches the window through whole transactions; this double races the pair directly.
 */
@JCStressTest
@Description("BROKEN DOUBLE: the release task's end (state IDLE, then a look at the queue) with a release store")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "the sender saw SCHEDULED; the task saw the output and reschedules")
@Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the sender saw IDLE and signals; the task saw no output")
@Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "both act: one extra, harmless task")
@Outcome(id = "1, 0", expect = FORBIDDEN, desc = "stranded: the sender left it to the task, the task found nothing")
@State
public class BrokenReleaseSignalTest {
    private static final VarHandle PRODUCED;
    private static final VarHandle STATE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PRODUCED = l.findVarHandle(BrokenReleaseSignalTest.class, "produced", long.class);
            STATE = l.findVarHandle(BrokenReleaseSignalTest.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long produced;
    private int state = 1; // SCHEDULED: a release task is running

    @Actor
    public void sender(II_Result r) {
        PRODUCED.compareAndSet(this, 0L, 1L);          // queue.offer
        r.r1 = (int) STATE.getVolatile(this);           // signal(): 1 = SCHEDULED, leave it to the task
    }

    @Actor
    public void releaseTaskEnd(II_Result r) {
        STATE.setRelease(this, 0);                      // BROKEN: the real store is volatile
        r.r2 = (long) PRODUCED.getAcquire(this) != 0 ? 1 : 0; // hasWork()
    }
}
