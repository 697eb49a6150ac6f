package io.aurora4j.speculation;

import io.aurora4j.txn.Group;
import io.aurora4j.txn.Region;
import io.aurora4j.txn.TLong;
import io.aurora4j.txn.TMap;
import io.aurora4j.txn.TRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #10, item 10b: work started by {@link Speculation#run} that ignores its interrupt and touches the group
 * straight through {@code group.atomic} or a state object's single operations after its speculation failed
 * must be refused with {@link SpeculationRolledBackException}, never land in the restored state.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class Issue10CancelledWorkCannotTouchTheGroupTest {

    /** The state objects of one group, and the accesses cancelled work tries after the rollback. */
    private record State(Group g, TLong x, TRef<String> r, TMap<String, String> m, Region region) {
    }

    private static List<Consumer<State>> lateAccesses() {
        List<Consumer<State>> a = new ArrayList<>();
        a.add(s -> s.g.atomic(() -> s.x.set(999)));                 // the write seen in the issue
        a.add(s -> s.x.set(999));                                    // a single write outside a transaction
        a.add(s -> s.x.add(998));
        a.add(s -> s.x.get());                                       // a single read
        a.add(s -> s.r.set("speculative"));
        a.add(s -> s.r.get());
        a.add(s -> s.m.put("k", "speculative"));
        a.add(s -> s.m.get("k"));
        a.add(s -> s.region.putLong(0, 999));                        // a raw region write
        a.add(s -> s.region.getLong(0));                             // a raw region read
        return a;
    }

    @Test
    void everyAccessOfCancelledSpeculativeWorkThrowsAndTheRestoredStateStays() throws Exception {
        List<Consumer<State>> accesses = lateAccesses();
        for (int i = 0; i < accesses.size(); i++) {
            Consumer<State> access = accesses.get(i);
            try (Group g = Group.inMemory("cancelled-" + i)) {
                State st = new State(g, g.newLong("x", 1), g.newRef("r", "before"), g.newMap("m"),
                        g.newRegion("region", 1 << 16));
                st.region.putLong(0, 1);
                Speculation s = Speculation.begin(g);
                CountDownLatch touched = new CountDownLatch(1);
                CountDownLatch failed = new CountDownLatch(1);
                CompletableFuture<Void> work = s.run(() -> {
                    st.x.set(2); // speculative work before the failure: rolled back with it
                    st.region.putLong(0, 2);
                    st.region.getLong(0);
                    touched.countDown();
                    awaitIgnoringInterrupts(failed); // work that ignores its interrupt
                    access.accept(st);
                });
                assertTrue(touched.await(10, TimeUnit.SECONDS));
                assertTrue(s.fail(new RuntimeException("mispredicted")));
                failed.countDown();
                ExecutionException e = assertThrows(ExecutionException.class, () -> work.get(10, TimeUnit.SECONDS),
                        "access #" + i);
                SpeculationRolledBackException r = assertInstanceOf(SpeculationRolledBackException.class, e.getCause(),
                        "access #" + i + " threw " + e.getCause());
                assertEquals(s.id(), r.speculationId());
                assertEquals(1, st.x.get(), "access #" + i + ": the restored state stays");
                assertEquals("before", st.r.get());
                assertNull(st.m.get("k"));
                assertEquals(1, st.region.getLong(0));
            }
        }
    }

    @Test
    void workOfAConfirmedSpeculationAndOtherThreadsAreNotRefused() throws Exception {
        try (Group g = Group.inMemory("confirmed")) {
            TLong x = g.newLong("x", 1);
            Speculation s = Speculation.begin(g);
            CountDownLatch confirmed = new CountDownLatch(1);
            CompletableFuture<Void> work = s.run(() -> {
                awaitIgnoringInterrupts(confirmed);
                g.atomic(() -> x.set(3));
                x.add(1);
            });
            s.confirm();
            confirmed.countDown();
            work.get(10, TimeUnit.SECONDS);
            assertEquals(4, x.get());

            Speculation f = Speculation.begin(g);
            f.fail(new RuntimeException());
            x.set(5); // not speculative work: a thread that is not the speculation's goes on
            assertEquals(5, x.get());
        }
    }

    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.interrupted(); // cleared: the work goes on as if it had not noticed
        }
    }
}
