package io.aurora4j.speculation;

import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The rule for work that other threads commit while a speculation is pending: it is speculative on it —
 * held, and rolled back with it — and its callers learn which through atomicTracked or whenSettled.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OtherThreadsWorkTest {

    @Test
    void anotherThreadsCommitIsRolledBackWithTheSpeculationAndItsCallerTold() throws Exception {
        try (Group g = Group.inMemory("others")) {
            TLong x = g.newLong("x", 0);
            Outputs out = new Outputs(g);
            Speculation s = Speculation.begin(g);
            Speculation.Tracked<String> t = CompletableFuture.supplyAsync(() -> Speculation.atomicTracked(g, () -> {
                x.add(5);
                out.boundary.send("other thread");
                return "done";
            }), r -> Thread.ofVirtual().start(r)).get(10, TimeUnit.SECONDS);
            assertEquals("done", t.value());
            assertFalse(t.outcome().isDone(), "its fate is the speculation's");
            s.fail(new RuntimeException("mispredicted"));
            assertEquals(Speculation.State.ROLLED_BACK, t.outcome().get(10, TimeUnit.SECONDS));
            assertEquals(0, x.get());
            out.boundary.flush().get(10, TimeUnit.SECONDS);
            assertEquals(List.of(), out.delivered);
        }
    }

    @Test
    void workCommittedBeforeBeginIsNotAffectedAndWorkOnTopOfAConfirmedOneStays() throws Exception {
        try (Group g = Group.inMemory("others-ok")) {
            TLong x = g.newLong("x", 0);
            Speculation.Tracked<Long> before = Speculation.atomicTracked(g, () -> x.add(1));
            assertEquals(Speculation.State.CONFIRMED, before.outcome().get(10, TimeUnit.SECONDS));
            Speculation s = Speculation.begin(g);
            Speculation.Tracked<Long> on = Speculation.atomicTracked(g, () -> x.add(1));
            CompletableFuture<Speculation.State> settled = Speculation.whenSettled(g);
            s.confirm();
            assertEquals(Speculation.State.CONFIRMED, on.outcome().get(10, TimeUnit.SECONDS));
            assertEquals(Speculation.State.CONFIRMED, settled.get(10, TimeUnit.SECONDS));
            assertEquals(2, x.get());
        }
    }

    @Test
    void aTrackedCommitAlreadyUndoneIsReportedRolledBack() throws Exception {
        try (Group g = Group.inMemory("undone")) {
            TLong x = g.newLong("x", 0);
            Speculation s = Speculation.begin(g);
            Speculation.Tracked<Long> on = Speculation.atomicTracked(g, () -> x.add(1));
            s.fail(new RuntimeException());
            s.outcome().get(10, TimeUnit.SECONDS);
            assertEquals(Speculation.State.ROLLED_BACK, on.outcome().get(10, TimeUnit.SECONDS));
        }
    }
}
