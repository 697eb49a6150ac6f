package io.aurora4j.boundary;

import io.aurora4j.boundary.spi.BoundarySpi;
import io.aurora4j.txn.Checkpoint;
import io.aurora4j.txn.Group;
import io.aurora4j.txn.spi.TxnSpi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The speculation module's seam into the boundaries ({@link BoundarySpi#addReleaseCondition}): a hold put on a
 * group holds the outputs of every boundary of the group, whether the boundary was opened before or after
 * the hold (the hold lives in the group's extension, not in a bridge a class initializer installs), and
 * letting it go releases them. The group keeps one coordinator however it is reached.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BoundarySpiHoldTest {

    @Test
    void aHoldPutOnTheGroupBeforeAnyBoundaryHoldsTheOutputsOfOneOpenedLater() {
        try (Group g = Group.inMemory("hold-first")) {
            Checkpoint cp = g.checkpoint();
            AtomicLong through = new AtomicLong(TxnSpi.epochOf(cp)); // like a speculation begun at cp
            BoundarySpi.Hold hold = BoundarySpi.addReleaseCondition(g, through::get);
            Recorder<String> sink = new Recorder<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = Boundary.<String>builder(g, "out").sink(Sink.of(sink)).releaseExecutor(ex).open();
            g.atomic(() -> b.send("speculative"));
            ex.runAll();
            assertEquals(List.of(), sink.got, "held by the hold put before the boundary existed");
            through.set(Long.MAX_VALUE); // confirmed
            hold.changed();
            ex.runAll();
            assertEquals(List.of("speculative"), sink.got);
            hold.remove();
        }
    }

    @Test
    void aHoldPutAfterTheBoundaryOpenedHoldsItAndRemovingTheHoldLetsItGo() {
        try (Group g = Group.inMemory("boundary-first")) {
            Recorder<String> sink = new Recorder<>();
            ManualExecutor ex = new ManualExecutor();
            Boundary<String> b = Boundary.<String>builder(g, "out").sink(Sink.of(sink)).releaseExecutor(ex).open();
            Checkpoint cp = g.checkpoint();
            BoundarySpi.Hold hold = BoundarySpi.addReleaseCondition(g, () -> TxnSpi.epochOf(cp));
            b.send("held");
            ex.runAll();
            assertEquals(List.of(), sink.got);
            hold.remove();
            hold.remove(); // idempotent
            ex.runAll();
            assertEquals(List.of("held"), sink.got);
            assertSame(GroupOutputs.of(g), GroupOutputs.of(g), "one coordinator per group");
        }
    }
}
