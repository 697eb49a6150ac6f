package io.aurora4j.speculation;

import io.aurora4j.txn.Group;
import io.aurora4j.txn.TLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Speculative work is cancelled when its speculation fails: interrupted, and its next atomic throws. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CancellationTest {

    @Test
    void aBlockedSpeculativeThreadIsInterruptedAndItsWorkRolledBack() throws Exception {
        try (Group g = Group.inMemory("interrupt")) {
            TLong x = g.newLong("x", 0);
            Speculation s = Speculation.begin(g);
            CountDownLatch started = new CountDownLatch(1);
            AtomicBoolean interrupted = new AtomicBoolean();
            CompletableFuture<Void> work = s.run(() -> {
                s.atomic(() -> x.set(1));
                started.countDown();
                try {
                    new CountDownLatch(1).await(); // a long speculative wait
                } catch (InterruptedException e) {
                    interrupted.set(true);
                    s.atomic(() -> x.set(99)); // the next access throws
                }
            });
            assertTrue(started.await(10, TimeUnit.SECONDS));
            s.fail(new RuntimeException("mispredicted"));
            ExecutionException e = assertThrows(ExecutionException.class, () -> work.get(10, TimeUnit.SECONDS));
            SpeculationRolledBackException r = assertInstanceOf(SpeculationRolledBackException.class, e.getCause());
            assertEquals("interrupt", r.groupName());
            assertEquals(s.id(), r.speculationId());
            assertTrue(interrupted.get());
            assertEquals(0, x.get(), "the speculative write was rolled back and the late one refused");
        }
    }

    @Test
    void aTransactionAbortedInFlightByTheRollbackDoesNotCommitOnTheRestoredState() throws Exception {
        try (Group g = Group.inMemory("in-flight")) {
            TLong x = g.newLong("x", 0);
            Speculation s = Speculation.begin(g);
            CountDownLatch inBody = new CountDownLatch(1);
            CountDownLatch rolledBack = new CountDownLatch(1);
            CompletableFuture<Void> work = s.run(() -> s.atomic(() -> {
                x.set(x.get() + 1);
                inBody.countDown();
                try {
                    rolledBack.await(); // the rollback happens while this attempt runs
                } catch (InterruptedException ignored) {
                    // the interrupt arrives too; the attempt goes on to its commit, which fails validation
                }
            }));
            assertTrue(inBody.await(10, TimeUnit.SECONDS));
            s.fail(new RuntimeException("mispredicted"));
            rolledBack.countDown();
            ExecutionException e = assertThrows(ExecutionException.class, () -> work.get(10, TimeUnit.SECONDS));
            assertInstanceOf(SpeculationRolledBackException.class, e.getCause());
            assertEquals(0, x.get());
        }
    }

    @Test
    void runAfterTheRollbackDoesNotStartAndConfirmedWorkFinishes() throws Exception {
        try (Group g = Group.inMemory("after")) {
            Speculation s = Speculation.begin(g);
            s.fail(new RuntimeException());
            AtomicBoolean ran = new AtomicBoolean();
            ExecutionException e = assertThrows(ExecutionException.class, () -> s.run(() -> ran.set(true)).get(10, TimeUnit.SECONDS));
            assertInstanceOf(SpeculationRolledBackException.class, e.getCause());
            assertEquals(false, ran.get());
            assertThrows(SpeculationRolledBackException.class, () -> s.atomic(() -> ran.set(true)));

            Speculation ok = Speculation.begin(g);
            CompletableFuture<Void> work = ok.run(() -> ran.set(true));
            ok.confirm();
            work.get(10, TimeUnit.SECONDS);
            assertTrue(ran.get());
        }
    }
}
