package io.aurora4j.speculation;

import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Several pending speculations: release in order, failure cascades to later ones, handlers oldest first. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChainsTest {

    @Test
    void confirmingALaterOneReleasesNothingUntilEveryEarlierOneIsConfirmed() throws Exception {
        try (Group g = Group.inMemory("in-order")) {
            Outputs out = new Outputs(g);
            Speculation a = Speculation.begin(g);
            a.atomic(() -> out.boundary.send("a"));
            Speculation b = Speculation.begin(g);
            b.atomic(() -> out.boundary.send("b"));
            Speculation c = Speculation.begin(g);
            c.atomic(() -> out.boundary.send("c"));

            assertTrue(c.confirm());
            assertTrue(b.confirm());
            assertEquals(Speculation.State.PENDING, b.state(), "confirmation requested, an earlier one pending");
            assertEquals(List.of(), out.settled());
            assertTrue(a.confirm());
            for (Speculation s : List.of(a, b, c)) {
                assertEquals(Speculation.State.CONFIRMED, s.outcome().get(10, TimeUnit.SECONDS));
            }
            out.boundary.flush().get(10, TimeUnit.SECONDS);
            assertEquals(List.of("a", "b", "c"), out.delivered);
        }
    }

    @Test
    void confirmingTheHeadReleasesOnlyUpToTheNextPendingOne() throws Exception {
        try (Group g = Group.inMemory("prefix")) {
            Outputs out = new Outputs(g);
            Speculation a = Speculation.begin(g);
            out.boundary.send("a");
            Speculation b = Speculation.begin(g);
            out.boundary.send("b");
            a.confirm();
            out.boundary.flush().orTimeout(10, TimeUnit.SECONDS);
            assertEquals(List.of("a"), out.settled());
            b.confirm();
            out.boundary.flush().get(10, TimeUnit.SECONDS);
            assertEquals(List.of("a", "b"), out.delivered);
        }
    }

    @Test
    void failingOneRollsBackToItsCheckpointAndFailsEveryLaterOneHandlersOldestFirst() throws Exception {
        try (Group g = Group.inMemory("cascade")) {
            TLong x = g.newLong("x", 0);
            Outputs out = new Outputs(g);
            List<String> order = new CopyOnWriteArrayList<>();
            Speculation a = Speculation.begin(g).onRollback(r -> order.add("a"));
            a.atomic(() -> { x.set(1); out.boundary.send("a"); });
            Speculation b = Speculation.begin(g).onRollback(r -> order.add("b"));
            b.atomic(() -> { x.set(2); out.boundary.send("b"); });
            Speculation c = Speculation.begin(g).onRollback(r -> order.add("c"));
            c.atomic(() -> { x.set(3); out.boundary.send("c"); });
            Speculation d = Speculation.begin(g).onRollback(r -> order.add("d"));
            d.confirm(); // requested; rolled back anyway when an earlier one fails

            List<SpeculationRollback> records = new CopyOnWriteArrayList<>();
            for (Speculation s : List.of(b, c, d)) {
                s.onRollback(records::add);
            }
            RuntimeException cause = new RuntimeException("b mispredicted");
            assertTrue(b.fail(cause));
            for (Speculation s : List.of(b, c, d)) {
                assertEquals(Speculation.State.ROLLED_BACK, s.outcome().get(10, TimeUnit.SECONDS));
            }
            assertEquals(Speculation.State.PENDING, a.state());
            assertEquals(1, x.get(), "back to b's checkpoint");
            assertEquals(List.of("b", "c", "d"), order);
            assertEquals(1, g.stats().rollbacks(), "one rollback for the whole tail");
            assertSame(records.get(0).event(), records.get(1).event(), "one rollback, one event");
            assertSame(cause, records.get(0).cause());
            SpeculationRolledBackException later = assertInstanceOf(SpeculationRolledBackException.class, records.get(1).cause());
            assertSame(cause, later.getCause());
            assertEquals(c.id(), later.speculationId());
            assertEquals(2, records.get(0).discardedOutputs());

            a.confirm();
            out.boundary.flush().get(10, TimeUnit.SECONDS);
            assertEquals(List.of("a"), out.delivered);
            assertFalse(d.confirm());
        }
    }

    @Test
    void failuresOutOfOrderTheLaterFirstThenTheEarlier() throws Exception {
        try (Group g = Group.inMemory("out-of-order")) {
            TLong x = g.newLong("x", 0);
            List<String> order = new CopyOnWriteArrayList<>();
            Speculation a = Speculation.begin(g).onRollback(r -> order.add("a"));
            a.atomic(() -> x.set(1));
            Speculation b = Speculation.begin(g).onRollback(r -> order.add("b"));
            b.atomic(() -> x.set(2));
            b.fail(new RuntimeException("b"));
            b.outcome().get(10, TimeUnit.SECONDS);
            assertEquals(1, x.get());
            a.fail(new RuntimeException("a"));
            a.outcome().get(10, TimeUnit.SECONDS);
            assertEquals(0, x.get());
            assertEquals(List.of("b", "a"), order);
        }
    }

    @Test
    void anExplicitRollbackBeforeAPendingSpeculationRollsItBack() throws Exception {
        try (Group g = Group.inMemory("explicit")) {
            Outputs out = new Outputs(g);
            var before = g.checkpoint();
            Speculation s = Speculation.begin(g);
            List<SpeculationRollback> seen = new CopyOnWriteArrayList<>();
            s.onRollback(seen::add);
            out.boundary.send("speculative");
            g.rollback(before);
            assertEquals(Speculation.State.ROLLED_BACK, s.outcome().get(10, TimeUnit.SECONDS));
            assertEquals(before.id(), seen.get(0).event().checkpoint().id());
            assertFalse(s.confirm());
            out.boundary.send("after");
            out.boundary.flush().get(10, TimeUnit.SECONDS);
            assertEquals(List.of("after"), out.delivered, "nothing of the undone speculation leaves, and the hold is gone");
            Speculation next = Speculation.begin(g);
            assertTrue(next.confirm(), "a speculation begun after the rollback is unaffected");
        }
    }
}
