package io.aurora4j.speculation;

import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One speculation: confirm releases, fail restores and discards, the first of the two wins, handlers run once. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConfirmAndFailTest {

    @Test
    void confirmReleasesHeldOutputsAndKeepsState() throws Exception {
        try (Group g = Group.inMemory("confirm")) {
            TLong x = g.newLong("x", 1);
            Outputs out = new Outputs(g);
            Speculation s = Speculation.begin(g);
            s.atomic(() -> {
                x.set(2);
                out.boundary.send("speculative");
            });
            out.boundary.send("outside, after begin");
            assertEquals(List.of(), out.settled(), "held while pending");
            assertEquals(Speculation.State.PENDING, s.state());
            assertTrue(s.confirm());
            assertEquals(Speculation.State.CONFIRMED, s.state());
            assertEquals(Speculation.State.CONFIRMED, s.outcome().get(10, TimeUnit.SECONDS));
            out.boundary.flush().get(10, TimeUnit.SECONDS);
            assertEquals(List.of("speculative", "outside, after begin"), out.delivered);
            assertEquals(2, x.get());
        }
    }

    @Test
    void failRestoresStateDiscardsOutputsAndRunsTheHandlerOnceWithTheEvent() throws Exception {
        try (Group g = Group.inMemory("fail")) {
            TLong x = g.newLong("x", 1);
            Outputs out = new Outputs(g);
            out.boundary.send("before");
            Speculation s = Speculation.begin(g);
            List<SpeculationRollback> seen = new CopyOnWriteArrayList<>();
            List<String> order = new CopyOnWriteArrayList<>();
            List<io.aurora4j.notify.RollbackEvent> events = new CopyOnWriteArrayList<>();
            g.onRollback(e -> {
                events.add(e);
                order.add("group listener");
            });
            s.onRollback(r -> {
                order.add("handler");
                seen.add(r);
            });
            s.atomic(() -> {
                x.set(2);
                out.boundary.send("speculative");
            });
            IllegalStateException boom = new IllegalStateException("boom");
            assertTrue(s.fail(boom));
            assertEquals(Speculation.State.ROLLED_BACK, s.state());
            assertEquals(1, x.get(), "state back to the checkpoint");
            assertEquals(Speculation.State.ROLLED_BACK, s.outcome().get(10, TimeUnit.SECONDS));
            assertEquals(1, seen.size());
            SpeculationRollback r = seen.get(0);
            assertSame(boom, r.cause());
            assertSame(s, r.speculation());
            assertEquals(s.checkpoint().id(), r.event().checkpoint().id());
            assertSame(s, r.event().speculation().orElseThrow(), "the group's event names the failed speculation");
            assertEquals(1, r.discardedOutputs());
            assertEquals(List.of("group listener", "handler"), order, "rollback-notify delivers before the conservative path");
            assertEquals(s.id(), events.get(0).speculation().orElseThrow().id());
            assertEquals("fail", events.get(0).speculation().orElseThrow().groupName());
            out.boundary.flush().get(10, TimeUnit.SECONDS);
            assertEquals(List.of("before"), out.delivered);
            assertFalse(s.fail(boom), "a second fail does nothing");
            assertFalse(s.confirm(), "confirm after a rollback does nothing");
            assertEquals(1, g.stats().rollbacks());
            assertTrue(g.rollback(s.checkpoint()).speculation().isEmpty(), "a rollback no speculation asked for names none");
        }
    }

    @Test
    void theFirstOfConfirmAndFailWins() {
        try (Group g = Group.inMemory("first-wins")) {
            Speculation a = Speculation.begin(g);
            assertTrue(a.confirm());
            assertFalse(a.fail(new RuntimeException()));
            assertEquals(Speculation.State.CONFIRMED, a.state());
            assertEquals(0, g.stats().rollbacks());
        }
    }

    @Test
    void confirmRacingFailOnThreeThreadsSettlesExactlyOnce() throws Exception {
        for (int round = 0; round < 200; round++) {
            try (Group g = Group.inMemory("race-" + round)) {
                Speculation s = Speculation.begin(g);
                AtomicInteger handlers = new AtomicInteger();
                s.onRollback(r -> handlers.incrementAndGet());
                CountDownLatch go = new CountDownLatch(1);
                AtomicInteger confirmed = new AtomicInteger();
                AtomicInteger failed = new AtomicInteger();
                Thread[] ts = {
                        Thread.ofVirtual().start(() -> { await(go); if (s.confirm()) confirmed.incrementAndGet(); }),
                        Thread.ofVirtual().start(() -> { await(go); if (s.fail(new RuntimeException("f1"))) failed.incrementAndGet(); }),
                        Thread.ofVirtual().start(() -> { await(go); if (s.fail(new RuntimeException("f2"))) failed.incrementAndGet(); }),
                };
                go.countDown();
                for (Thread t : ts) {
                    assertTrue(t.join(java.time.Duration.ofSeconds(10)));
                }
                Speculation.State end = s.outcome().get(10, TimeUnit.SECONDS);
                if (end == Speculation.State.CONFIRMED) {
                    assertEquals(0, failed.get());
                    assertEquals(0, handlers.get());
                    assertEquals(0, g.stats().rollbacks());
                } else {
                    assertEquals(1, failed.get());
                    assertEquals(0, confirmed.get());
                    assertEquals(1, handlers.get());
                    assertEquals(1, g.stats().rollbacks());
                }
            }
        }
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            throw new RuntimeException(e);
        }
    }

    @Test
    void confirmWhenConfirmsOnAMatchAndFailsOnAMismatchAnExceptionOrADeadline() throws Exception {
        try (Group g = Group.inMemory("confirm-when")) {
            CompletableFuture<String> reply = new CompletableFuture<>();
            Speculation ok = Speculation.begin(g).confirmWhen(reply, "yes"::equals);
            reply.complete("yes");
            assertEquals(Speculation.State.CONFIRMED, ok.outcome().get(10, TimeUnit.SECONDS));

            CompletableFuture<String> wrong = new CompletableFuture<>();
            List<Throwable> causes = new CopyOnWriteArrayList<>();
            Speculation mis = Speculation.begin(g).onRollback(r -> causes.add(r.cause())).confirmWhen(wrong, "yes"::equals);
            wrong.complete("no");
            assertEquals(Speculation.State.ROLLED_BACK, mis.outcome().get(10, TimeUnit.SECONDS));
            MispredictionException m = assertInstanceOf(MispredictionException.class, causes.get(0));
            assertEquals("no", m.actual());
            assertTrue(m.getMessage().contains("#" + mis.id()) && m.getMessage().contains("'confirm-when'"), m.getMessage());

            CompletableFuture<String> broken = new CompletableFuture<>();
            Speculation err = Speculation.begin(g).onRollback(r -> causes.add(r.cause())).confirmWhen(broken, "yes"::equals);
            broken.completeExceptionally(new java.io.IOException("connection reset"));
            assertEquals(Speculation.State.ROLLED_BACK, err.outcome().get(10, TimeUnit.SECONDS));
            assertInstanceOf(java.io.IOException.class, causes.get(1));

            CompletableFuture<String> never = new CompletableFuture<>();
            Speculation late = Speculation.begin(g).onRollback(r -> causes.add(r.cause()))
                    .confirmWhen(never, "yes"::equals, java.time.Duration.ofMillis(20));
            assertEquals(Speculation.State.ROLLED_BACK, late.outcome().get(10, TimeUnit.SECONDS));
            assertInstanceOf(TimeoutException.class, causes.get(2));
        }
    }

    @Test
    void aHandlerRegisteredAfterTheRollbackRunsAtOnceAndOneAfterConfirmNever() throws Exception {
        try (Group g = Group.inMemory("late-handler")) {
            Speculation s = Speculation.begin(g);
            s.fail(new RuntimeException("x"));
            s.outcome().get(10, TimeUnit.SECONDS);
            CompletableFuture<SpeculationRollback> got = new CompletableFuture<>();
            s.onRollback(got::complete);
            assertEquals("x", got.get(10, TimeUnit.SECONDS).cause().getMessage());

            Speculation c = Speculation.begin(g);
            c.confirm();
            AtomicInteger ran = new AtomicInteger();
            c.onRollback(r -> ran.incrementAndGet());
            assertEquals(0, ran.get());
        }
    }

    @Test
    void aThrowingHandlerDoesNotStopTheOthers() throws Exception {
        try (Group g = Group.inMemory("throwing-handler")) {
            Speculation s = Speculation.begin(g);
            AtomicInteger ran = new AtomicInteger();
            s.onRollback(r -> { throw new IllegalStateException("handler bug"); });
            s.onRollback(r -> ran.incrementAndGet());
            s.fail(new RuntimeException());
            s.outcome().get(10, TimeUnit.SECONDS);
            assertEquals(1, ran.get());
        }
    }

    @Test
    void misuseFailsWithMessagesNamingGroupAndSpeculation() {
        try (Group g = Group.inMemory("misuse")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.atomic(() -> Speculation.begin(g)));
            assertTrue(e.getMessage().contains("'misuse'"), e.getMessage());
            Speculation s = Speculation.begin(g);
            IllegalStateException f = assertThrows(IllegalStateException.class, () -> g.atomic(() -> s.fail(new RuntimeException())));
            assertTrue(f.getMessage().contains("#" + s.id()) && f.getMessage().contains("'misuse'"), f.getMessage());
            assertEquals(Speculation.State.PENDING, s.state(), "a refused fail changes nothing");
        }
        try (Group small = Group.builder("small").retainCheckpoints(1).open()) {
            Speculation s = Speculation.begin(small);
            small.checkpoint(); // beyond retention, but a pending speculation pins its checkpoint (issue #10, item 9)
            assertTrue(s.fail(new RuntimeException()), "a pending speculation can always fail");
        }
    }
}
